export { analyseLogin, type AnalyseLoginInput, type LoginAnalysis } from './analyse-login.js';
export { loginHistoryPath } from './history-file.js';
