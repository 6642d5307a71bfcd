import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appImageSandboxNotice, projectFromArgv } from '../../src-main/ipc/desktop';

describe('the project a launch asks to open', () => {
  const resolve = path.posix.resolve;

  it('takes the last project argument, resolved against the working folder', () => {
    expect(projectFromArgv(['/opt/app/htlnet-studio', 'a.htlnet.json'], '/home/u', resolve)).toBe(
      '/home/u/a.htlnet.json',
    );
    expect(
      projectFromArgv(
        ['htlnet-studio', '--no-sandbox', '/x/first.htlnet.json', 'My Project.HTLNET.JSON'],
        '/w',
        resolve,
      ),
    ).toBe('/w/My Project.HTLNET.JSON');
    expect(projectFromArgv(['htlnet-studio', 'old.json'], '/w', resolve)).toBe('/w/old.json');
  });

  it('ignores the executable, switches, the app folder and other files', () => {
    expect(projectFromArgv(['/x/project.htlnet.json'], '/w', resolve)).toBeNull();
    expect(
      projectFromArgv(
        ['electron', '.', '--inspect=9229', '--flag=x.json', 'data.csv', 'model/'],
        '/w',
        resolve,
      ),
    ).toBeNull();
  });
});

describe('the AppImage sandbox notice', () => {
  const base = {
    platform: 'linux',
    appImage: '/home/u/HTLNet.AppImage',
    noSandbox: true,
    restrictUserns: '1\n',
  };

  it('explains the Ubuntu restriction and the fix when the AppImage runs unsandboxed', () => {
    const notice = appImageSandboxNotice(base)!;
    expect(notice).toMatch(/without Chromium's sandbox/);
    expect(notice).toMatch(/kernel\.apparmor_restrict_unprivileged_userns = 1/);
    expect(notice).toMatch(/install the \.deb package/);
    expect(notice).toMatch(/sudo sysctl -w kernel\.apparmor_restrict_unprivileged_userns=0/);
    expect(notice).not.toContain('\n');
    expect(appImageSandboxNotice({ ...base, restrictUserns: null })).toMatch(
      /user namespaces are not available/,
    );
  });

  it('says nothing when sandboxed, not an AppImage, or not Linux', () => {
    expect(appImageSandboxNotice({ ...base, noSandbox: false })).toBeNull();
    expect(appImageSandboxNotice({ ...base, appImage: undefined })).toBeNull();
    expect(appImageSandboxNotice({ ...base, appImage: '' })).toBeNull();
    expect(appImageSandboxNotice({ ...base, platform: 'win32' })).toBeNull();
  });
});
