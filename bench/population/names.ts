/**
 * Name and place lists for the generated populations, most frequent first (the generator draws them
 * with Zipf-skewed weights). Senegalese lists follow Wolof, Pulaar and Serer usage; Ugandan lists mix
 * Christian given names with Luganda, Luo and Runyankole personal names, which Ugandan records use as
 * surnames and write before or after the given name.
 */

export const SN_MALE = [
  'Mamadou', 'Moussa', 'Ibrahima', 'Abdoulaye', 'Ousmane', 'Cheikh', 'Modou', 'Amadou', 'Aliou', 'Babacar',
  'Omar', 'Alioune', 'Malick', 'Assane', 'Lamine', 'Souleymane', 'Mouhamed', 'Demba', 'Samba', 'Boubacar',
  'Idrissa', 'Saliou', 'Fallou', 'Bassirou', 'Mbaye', 'Djibril', 'Khadim', 'Ismaila', 'Seydou', 'Tidiane',
  'Habib', 'Youssou', 'Daouda', 'Thierno', 'Ablaye', 'Massamba', 'Birame', 'Ndiaga', 'Moustapha', 'Mor',
  'Insa', 'Badara', 'Matar', 'Gora', 'Alassane', 'Ousseynou', 'Mamour', 'Pathe', 'Elimane', 'Mansour',
  'Serigne', 'Adama', 'Alpha', 'Oumar', 'Sidy', 'Baba', 'Mactar', 'Abdou', 'Aziz', 'Pape', 'Latyr', 'Waly',
  'Ngagne', 'Fode', 'Karim', 'Lansana', 'Siaka', 'Yaya', 'Madiop', 'Dame', 'Talla', 'Bocar', 'Racine',
  'Nfally', 'Bamba', 'Mamadou Lamine', 'Mouhamadou', 'Sokhna', 'Arona', 'Balla', 'Cherif', 'Doudou',
];
export const SN_FEMALE = [
  'Aminata', 'Fatou', 'Awa', 'Mariama', 'Aissatou', 'Khady', 'Coumba', 'Astou', 'Adama', 'Rokhaya',
  'Marieme', 'Fatoumata', 'Bineta', 'Seynabou', 'Dieynaba', 'Penda', 'Khadija', 'Yacine', 'Maimouna',
  'Oumou', 'Ramatoulaye', 'Ngone', 'Diarra', 'Anta', 'Nogaye', 'Sala', 'Kine', 'Codou', 'Fama', 'Arame',
  'Thioro', 'Mbene', 'Ndella', 'Binta', 'Safiatou', 'Oumy', 'Daba', 'Soda', 'Fatim', 'Mously', 'Dior',
  'Absa', 'Sokhna', 'Salimata', 'Hawa', 'Nafissatou', 'Ndeye', 'Mame', 'Aida', 'Khoudia', 'Selbe', 'Yaye',
  'Maty', 'Ami', 'Coura', 'Ngoné', 'Siga', 'Woury', 'Kadiatou', 'Habsa', 'Rama', 'Sophie', 'Marie',
  'Adji', 'Djeneba', 'Tening', 'Gnilane', 'Ndoumbe', 'Rokiatou', 'Maguette', 'Mbayang', 'Fatma', 'Saly',
];
export const SN_FAMILY = [
  'Ndiaye', 'Diop', 'Fall', 'Sow', 'Diallo', 'Ba', 'Gueye', 'Faye', 'Sarr', 'Mbaye', 'Cissé', 'Sy', 'Diouf',
  'Seck', 'Niang', 'Thiam', 'Kane', 'Touré', 'Ndoye', 'Dieng', 'Camara', 'Diagne', 'Sène', 'Diedhiou',
  'Mbodj', 'Sall', 'Badji', 'Wade', 'Kébé', 'Samb', 'Thiaw', 'Lo', 'Ka', 'Dia', 'Tall', 'Gaye', 'Mané',
  'Sané', 'Diatta', 'Gning', 'Ly', 'Sylla', 'Baldé', 'Diba', 'Mendy', 'Coly', 'Bodian', 'Sambou', 'Tine',
  'Ndour', 'Keita', 'Traoré', 'Konaté', 'Drame', 'Dabo', 'Sidibé', 'Diawara', 'Sissokho', 'Ndao', 'Loum',
  'Mboup', 'Diakhaté', 'Bâ', 'Wane', 'Ndir', 'Fofana', 'Doucouré', 'Sagna', 'Goudiaby', 'Manga', 'Diémé',
  'Bassène', 'Tendeng', 'Diouck', 'Pouye', 'Dramé', 'Marone', 'Beye', 'Cissokho', 'Kanté', 'Dembélé',
  'Ndong', 'Senghor', 'Ngom', 'Diaw', 'Gadiaga', 'Mbengue', 'Gassama', 'Yade', 'Diassé', 'Kouyaté',
  'Faty', 'Diagana', 'Niasse', 'Deme', 'Boye', 'Dione', 'Ndiongue', 'Guèye', 'Mbow', 'Hann', 'Sakho',
  'Diakité', 'Samaké', 'Tamba', 'Thioune', 'Cisse', 'Sadio', 'Barry', 'Bah', 'Kaba', 'Cham', 'Jallow',
];

export const UG_MALE = [
  'Joseph', 'John', 'Moses', 'David', 'Peter', 'Paul', 'Emmanuel', 'Samuel', 'Robert', 'Richard', 'Isaac',
  'Brian', 'Ivan', 'Denis', 'Ronald', 'Julius', 'Henry', 'Francis', 'Charles', 'Godfrey', 'Fred', 'Patrick',
  'James', 'Joshua', 'Ambrose', 'Geoffrey', 'Simon', 'Andrew', 'Daniel', 'Allan', 'Edward', 'Stephen',
  'Michael', 'Vincent', 'Martin', 'George', 'Lawrence', 'Herbert', 'Innocent', 'Hassan',
  'Ibrahim', 'Musa', 'Ali', 'Abdul', 'Sulaiman', 'Yusuf', 'Ronnie', 'Derrick', 'Arthur', 'Collins', 'Frank',
  'Benjamin', 'Jonathan', 'Timothy', 'Solomon', 'Nicholas', 'Kenneth', 'Alex', 'Tonny', 'Sam', 'Gerald',
  'Eria', 'Livingstone', 'Silver', 'Wilson', 'Nelson', 'Elijah', 'Hillary', 'Bosco', 'Kizito',
];
export const UG_FEMALE = [
  'Sarah', 'Grace', 'Mary', 'Esther', 'Florence', 'Agnes', 'Annet', 'Harriet', 'Prossy', 'Rose', 'Betty',
  'Juliet', 'Ruth', 'Sylvia', 'Winnie', 'Brenda', 'Doreen', 'Irene', 'Joan', 'Lydia', 'Christine', 'Scovia',
  'Immaculate', 'Gloria', 'Patience', 'Mercy', 'Faith', 'Proscovia', 'Margaret', 'Jane', 'Susan', 'Rebecca',
  'Catherine', 'Jennifer', 'Dorothy', 'Josephine', 'Teddy', 'Rehema', 'Aisha', 'Zainab', 'Fatuma', 'Mariam',
  'Hadijah', 'Shamim', 'Sharifah', 'Evelyn', 'Lillian', 'Olivia', 'Phiona', 'Rachael', 'Stella', 'Viola',
  'Hellen', 'Alice', 'Eunice', 'Beatrice', 'Janet', 'Angella', 'Barbara', 'Claire', 'Edith', 'Jovia',
];
/** Ugandan personal names used as surnames (Luganda, Luo, Runyankole, Lusoga...). */
export const UG_FAMILY = [
  'Mukasa', 'Okello', 'Ssemwanga', 'Tumusiime', 'Byaruhanga', 'Kiggundu', 'Lubega', 'Kizza', 'Ouma',
  'Odongo', 'Ochieng', 'Opio', 'Otim', 'Mugisha', 'Nsubuga', 'Ssekandi', 'Kato', 'Wasswa', 'Mugerwa',
  'Kasozi', 'Ssali', 'Mutebi', 'Musoke', 'Lule', 'Kakooza', 'Kibirige', 'Ssebunya', 'Kagwa', 'Mayanja',
  'Kawuma', 'Katende', 'Sserwadda', 'Ssenyonga', 'Walusimbi', 'Kyeyune', 'Mulindwa', 'Bbosa', 'Kalule',
  'Ojok', 'Okot', 'Ocen', 'Olanya', 'Akena', 'Obura', 'Okumu', 'Onyango', 'Owor', 'Oryem', 'Ayella',
  'Tumwine', 'Ahimbisibwe', 'Turyasingura', 'Atuhaire', 'Kamugisha', 'Twinomujuni', 'Bainomugisha',
  'Mwesigwa', 'Asiimwe', 'Natukunda', 'Kyomuhendo', 'Namubiru', 'Nakato', 'Babirye', 'Nansubuga',
  'Nalubega', 'Namutebi', 'Nakimuli', 'Nanyonga', 'Nabukenya', 'Namuli', 'Akello', 'Auma', 'Atim',
  'Achieng', 'Apio', 'Adong', 'Waiswa', 'Isabirye', 'Mugoya', 'Balikowa', 'Wandera', 'Wafula', 'Wanyama',
  'Barasa', 'Masaba', 'Mafabi', 'Wamala', 'Nabirye', 'Nabwire', 'Kisakye', 'Nakku', 'Nambi', 'Nantongo',
];
/** Luganda twin names: first-born and second-born girl, boy. */
export const UG_TWIN_NAMES = { female: ['Babirye', 'Nakato'], male: ['Wasswa', 'Kato'] } as const;
/** Wolof twin names (Hassan and Husayn for boys; Adama and Awa, Adam and Eve, for a boy and a girl). */
export const SN_TWIN_NAMES = { male: ['Assane', 'Ousseynou'], mixed: ['Adama', 'Awa'] } as const;

/** Communes and their regions. */
export const SN_PLACES: ReadonlyArray<readonly [string, string]> = [
  ['Pikine', 'Dakar'], ['Dakar', 'Dakar'], ['Guédiawaye', 'Dakar'], ['Rufisque', 'Dakar'], ['Keur Massar', 'Dakar'],
  ['Touba', 'Diourbel'], ['Thiès', 'Thiès'], ['Mbour', 'Thiès'], ['Kaolack', 'Kaolack'], ['Saint-Louis', 'Saint-Louis'],
  ['Ziguinchor', 'Ziguinchor'], ['Diourbel', 'Diourbel'], ['Louga', 'Louga'], ['Tambacounda', 'Tambacounda'],
  ['Kolda', 'Kolda'], ['Mbacké', 'Diourbel'], ['Tivaouane', 'Thiès'], ['Richard-Toll', 'Saint-Louis'],
  ['Fatick', 'Fatick'], ['Kaffrine', 'Kaffrine'], ['Matam', 'Matam'], ['Bignona', 'Ziguinchor'], ['Sédhiou', 'Sédhiou'],
  ['Joal-Fadiouth', 'Thiès'], ['Kédougou', 'Kédougou'], ['Vélingara', 'Kolda'], ['Podor', 'Saint-Louis'],
  ['Dagana', 'Saint-Louis'], ['Nioro du Rip', 'Kaolack'], ['Linguère', 'Louga'], ['Bambey', 'Diourbel'],
  ['Gossas', 'Fatick'], ['Kébémer', 'Louga'], ['Bakel', 'Tambacounda'], ['Oussouye', 'Ziguinchor'],
];
export const SN_QUARTERS = [
  'Médina', 'Grand Yoff', 'Parcelles Assainies', 'HLM', 'Sicap Liberté', 'Ouakam', 'Yoff', 'Ngor', 'Fass',
  'Colobane', 'Gueule Tapée', 'Dieuppeul', 'Castors', 'Grand Dakar', 'Niayes Thioker', 'Keur Gorgui',
  'Ndiarème', 'Thiaroye', 'Diamaguène', 'Yeumbeul', 'Malika', 'Darou Salam', 'Darou Khoudoss', 'Escale',
  'Santhiaba', 'Boucotte', 'Léona', 'Sor', 'Ndar Toute', 'Randoulène', 'Médina Baye', 'Ndangane', 'Keur Mbaye',
  'Cité Millionnaire', 'Cité Keur Damel', 'Nimzatt', 'Tound', 'Gouye Mouride', 'Liberté 6', 'Sacré-Cœur',
];
export const UG_PLACES: ReadonlyArray<readonly [string, string]> = [
  ['Kampala', 'Kampala'], ['Nansana', 'Wakiso'], ['Kira', 'Wakiso'], ['Wakiso', 'Wakiso'], ['Entebbe', 'Wakiso'],
  ['Mukono', 'Mukono'], ['Jinja', 'Jinja'], ['Mbale', 'Mbale'], ['Gulu', 'Gulu'], ['Lira', 'Lira'],
  ['Mbarara', 'Mbarara'], ['Masaka', 'Masaka'], ['Kasese', 'Kasese'], ['Fort Portal', 'Kabarole'], ['Hoima', 'Hoima'],
  ['Arua', 'Arua'], ['Soroti', 'Soroti'], ['Tororo', 'Tororo'], ['Iganga', 'Iganga'], ['Kabale', 'Kabale'],
  ['Busia', 'Busia'], ['Kitgum', 'Kitgum'], ['Masindi', 'Masindi'], ['Kayunga', 'Kayunga'], ['Luwero', 'Luwero'],
  ['Mityana', 'Mityana'], ['Mubende', 'Mubende'], ['Bushenyi', 'Bushenyi'], ['Ntungamo', 'Ntungamo'], ['Pader', 'Pader'],
];
export const UG_ZONES = [
  'Kireka', 'Bukoto', 'Ntinda', 'Kawempe', 'Nakawa', 'Kisenyi', 'Katwe', 'Kasubi', 'Naguru', 'Kyebando',
  'Mulago', 'Bwaise', 'Kansanga', 'Kabalagala', 'Namuwongo', 'Muyenga', 'Najjera', 'Kyaliwajjala',
  'Seeta', 'Bweyogerere', 'Namugongo', 'Kitintale', 'Luzira', 'Kibuli', 'Mengo', 'Rubaga', 'Ndeeba', 'Nateete',
  'Layibi', 'Pece', 'Bardege', 'Laroo', 'Kakoba', 'Ruharo', 'Nyamitanga', 'Kamukuzi', 'Walukuba', 'Mpumudde',
];
