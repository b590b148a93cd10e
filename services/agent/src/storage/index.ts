export { FileLocalStore, readJson, type LocalStore } from './local-store.js';
