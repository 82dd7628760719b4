// The engine version recorded in every result file (fit.json, run.json), from package.json.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const ENGINE_VERSION: string = (require('../../../package.json') as { version: string }).version;
