// Vite's `?raw` imports of the training package's sources (the Python files and their README):
// the file's text as a string. Works in vitest and in the CLI bundle.
declare module '*.py?raw' {
  const text: string;
  export default text;
}

declare module '*.md?raw' {
  const text: string;
  export default text;
}
