// The app's version, reported in saved models and by the CLI. Kept in step with package.json
// (a test checks it).
export const APP_VERSION = '0.1.0';
