// Module loader hook (node --import ./register.mjs): the built main process imports 'electron';
// here that resolves to the recording stand-in beside this file.
const standIn = new URL('./electron.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: standIn, shortCircuit: true };
  return nextResolve(specifier, context);
}
