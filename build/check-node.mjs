// The desktop tooling (the electron package's installer, electron-vite's Electron launcher,
// electron-builder's packaging of Electron 45) needs Node 22.12 or later; the CLI and the browser
// mode run on Node 20.19 too (package.json "engines"). `npm start`, `npm run dev` and
// `npm run dist` call this first, so an older Node stops with one clear line.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `HTLNet Studio's desktop tooling needs Node 22.12 or later (this is Node ${process.versions.node}). ` +
      'The CLI (npx htlnet) and the browser mode (npm run web) work on Node 20.19 and later.',
  );
  process.exit(1);
}
