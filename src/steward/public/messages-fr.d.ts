/** Types of messages-fr.js for the TypeScript side (tests). */
declare const messages: Record<string, string>;
export default messages;
