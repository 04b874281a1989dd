/**
 * A small nickname table: groups of given names used interchangeably. Anglo, francophone and common
 * Anglo-African forms only — enough to catch Bill/William, not a full diminutives dictionary.
 */

const GROUPS: string[][] = [
  ['WILLIAM', 'BILL', 'BILLY', 'WILL', 'WILLY', 'LIAM'],
  ['ROBERT', 'BOB', 'BOBBY', 'ROB', 'ROBBIE', 'BERT'],
  ['ELIZABETH', 'LIZ', 'LIZZY', 'BETH', 'BETTY', 'ELIZA', 'LISA', 'BETSY', 'ELISABETH'],
  ['MARGARET', 'MAGGIE', 'PEGGY', 'MEG', 'MARGE'],
  ['RICHARD', 'RICK', 'RICKY', 'DICK', 'RICH'],
  ['JAMES', 'JIM', 'JIMMY', 'JAMIE'],
  ['JOHN', 'JACK', 'JOHNNY', 'JON'],
  ['JOSEPH', 'JOE', 'JOEY', 'JOS', 'JOSE'],
  ['MICHAEL', 'MIKE', 'MICKY', 'MICK'],
  ['THOMAS', 'TOM', 'TOMMY'],
  ['CHARLES', 'CHARLIE', 'CHUCK'],
  ['EDWARD', 'ED', 'EDDIE', 'TED', 'NED'],
  ['ANTHONY', 'TONY'],
  ['DANIEL', 'DAN', 'DANNY'],
  ['DAVID', 'DAVE', 'DAVY'],
  ['ALEXANDER', 'ALEX', 'SANDY', 'ALEC'],
  ['ALEXANDRA', 'ALEX', 'SANDRA', 'SASHA'],
  ['CATHERINE', 'KATHERINE', 'KATE', 'KATIE', 'CATHY', 'KATHY', 'KAT', 'CATHERINA'],
  ['CHRISTOPHER', 'CHRIS', 'KIT'],
  ['CHRISTINE', 'CHRISTINA', 'CHRIS', 'TINA'],
  ['NICHOLAS', 'NICK', 'NICKY', 'NICOLAS'],
  ['PATRICK', 'PAT', 'PADDY'],
  ['PATRICIA', 'PAT', 'PATTY', 'TRISH'],
  ['SAMUEL', 'SAM', 'SAMMY'],
  ['SAMANTHA', 'SAM'],
  ['BENJAMIN', 'BEN', 'BENNY'],
  ['MATTHEW', 'MATT'],
  ['ANDREW', 'ANDY', 'DREW'],
  ['STEPHEN', 'STEVEN', 'STEVE'],
  ['JENNIFER', 'JENNY', 'JEN'],
  ['SUSAN', 'SUE', 'SUSIE', 'SUZANNE'],
  ['DEBORAH', 'DEBBIE', 'DEB'],
  ['REBECCA', 'BECKY', 'BECCA'],
  ['VICTORIA', 'VICKY', 'VICKIE', 'TORI'],
  ['JOSHUA', 'JOSH'],
  ['ZACHARY', 'ZACK', 'ZAC'],
  ['NATHANIEL', 'NATHAN', 'NATE', 'NAT'],
  ['JEAN BAPTISTE', 'JEANBAPTISTE', 'JB'],
  ['MARIE', 'MARY', 'MARIA', 'MIMI'],
  ['FRANCOIS', 'FRANK', 'FRANCIS', 'FRANCK'],
  ['FRANCOISE', 'FRANCE', 'FANFAN'],
  ['EMMANUEL', 'MANU', 'EMMA'],
  ['PIERRE', 'PETER', 'PIETRO'],
  ['JACQUES', 'JACK', 'JACQUOT'],
  ['GUILLAUME', 'WILLIAM'],
  ['MOHAMMED', 'MOHAMED', 'MUHAMMAD', 'MOHAMMAD', 'MAMADOU', 'MOUHAMED', 'MAHAMADOU', 'MOMO'],
  ['ABDOULAYE', 'ABDULLAH', 'ABDALLAH', 'ABDOU'],
  ['IBRAHIM', 'IBRAHIMA', 'IBRA'],
  ['OUSMANE', 'USMAN', 'OTHMAN', 'OUSMAN'],
  ['FATOUMATA', 'FATIMA', 'FATOU', 'FATUMA'],
  ['AMINATA', 'AMINA', 'AMI'],
  ['ABUBAKAR', 'ABOUBACAR', 'BOUBACAR', 'BAKARY', 'ABU'],
  ['MOSES', 'MUSA', 'MOUSSA'],
  ['JOSEPHINE', 'JOSIE', 'JO'],
  ['GODFREY', 'GOD'],
  ['FREDERICK', 'FRED', 'FREDDIE', 'FREDDY'],
  ['FLORENCE', 'FLO', 'FLORA'],
  ['GRACE', 'GRACIE'],
  ['EMMANUELLA', 'EMMA'],
];

const INDEX: Map<string, number[]> = new Map();
GROUPS.forEach((group, g) => {
  for (const name of group) {
    const key = name.replace(/ /g, '');
    const list = INDEX.get(key) ?? [];
    list.push(g);
    INDEX.set(key, list);
  }
});

/**
 * Whether a normalised given name belongs to any nickname group (precomputed per record so that
 * isNickname runs only for pairs where both names could match).
 * @param name - normalised name (upper case, no spaces)
 * @returns true when the name is in the table
 */
export function hasNicknames(name: string): boolean {
  return INDEX.has(name);
}

/**
 * Whether two normalised given names (upper case, no spaces) are known nickname variants.
 * @param a - first name
 * @param b - second name
 * @returns true when both share a nickname group
 */
export function isNickname(a: string, b: string): boolean {
  const ga = INDEX.get(a);
  if (ga === undefined) return false;
  const gb = INDEX.get(b);
  if (gb === undefined) return false;
  for (const x of ga) if (gb.includes(x)) return true;
  return false;
}
