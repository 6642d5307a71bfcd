// Desktop integration decided without Electron (main.ts applies it): which project a launch
// asks to open, and what to tell a Linux user whose AppImage cannot use Chromium's sandbox.
// Pure functions of their inputs, so they are tested without Electron.

import { PROJECT_EXTENSION } from '../shared/project';

/**
 * The project a command line asks to open (Windows and Linux pass the double-clicked file as an
 * argument, to the first instance and, through 'second-instance', to the running one): the last
 * argument naming a `.htlnet.json` or `.json` file, resolved against `cwd`; null when none.
 * Switches (`--x`, `-x`) are skipped, and so is the executable (argv[0]).
 */
export function projectFromArgv(
  argv: readonly string[],
  cwd: string,
  resolve: (cwd: string, file: string) => string,
): string | null {
  let found: string | null = null;
  for (const arg of argv.slice(1)) {
    if (arg.startsWith('-')) continue;
    const lower = arg.toLowerCase();
    if (lower.endsWith(PROJECT_EXTENSION) || lower.endsWith('.json')) found = resolve(cwd, arg);
  }
  return found;
}

/**
 * The AppImage's launcher (electron-builder's AppRun) starts the app with --no-sandbox where
 * unprivileged user namespaces are unavailable, as on Ubuntu 23.10 and later (AppArmor
 * restricts them, and an AppImage cannot carry a SUID chrome-sandbox). The app then runs, but
 * without Chromium's sandbox: this is the message that says so and how to fix it, or null when
 * the app is not such an AppImage.
 */
export function appImageSandboxNotice(input: {
  platform: string;
  /** $APPIMAGE: set by the AppImage runtime. */
  appImage: string | undefined;
  /** Whether the process runs with --no-sandbox. */
  noSandbox: boolean;
  /** The contents of /proc/sys/kernel/apparmor_restrict_unprivileged_userns, or null. */
  restrictUserns: string | null;
}): string | null {
  if (input.platform !== 'linux' || !input.appImage || !input.noSandbox) return null;
  const restricted = input.restrictUserns?.trim() === '1';
  const why = restricted
    ? 'this system restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1, the default since Ubuntu 23.10), which an AppImage needs for it'
    : 'unprivileged user namespaces are not available on this system, and an AppImage needs them for it';
  return (
    `HTLNet Studio is running without Chromium's sandbox: ${why}. ` +
    'Fix: install the .deb package instead (it installs an AppArmor profile that allows the sandbox), ' +
    'or allow user namespaces for all programs with ' +
    '`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` ' +
    '(add it to /etc/sysctl.d/ to keep it after a restart).'
  );
}
