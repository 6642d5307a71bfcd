// Project files for the app: open with migration, refusal of broken and foreign files with a
// message naming what is wrong, atomic saves that never overwrite anything but a project, the
// recent list and the crash-recovery snapshot.

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleBinding } from '../../src-main/engine/data/sample-layout';
import { buildTemplate } from '../../src-main/engine/graph/templates';
import { listFiles, PathPolicy } from '../../src-main/host/files';
import {
  openProjectFile,
  parseProjectText,
  ProjectStore,
  RECENT_LIMIT,
  saveProjectFile,
} from '../../src-main/host/projects';
import { saveUpload, safeFileName } from '../../src-main/host/uploads';
import { PROJECT_VERSION } from '../../src-main/shared/project';
import { Readable } from 'node:stream';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/projects/htlnet-v1.htlnet.json');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'htlnet-host-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const project = () => buildTemplate('htlnet', sampleBinding(), { name: 'Funnel' });

describe('open', () => {
  it('migrates a version-1 file and says so', async () => {
    const opened = await openProjectFile(FIXTURE);
    expect(opened.migratedFrom).toBe(1);
    expect(opened.project.version).toBe(PROJECT_VERSION);
    expect(opened.path).toBe(FIXTURE);
    expect(opened.name).toBe('htlnet-v1');
  });

  it('refuses broken JSON with the line and column', async () => {
    const file = path.join(dir, 'broken.htlnet.json');
    writeFileSync(file, '{\n  "format": "htlnet-studio-project",\n  "version": 2,,\n}');
    await expect(openProjectFile(file)).rejects.toThrow(/broken\.htlnet\.json.*line 3/);
  });

  it('refuses a foreign JSON file, a folder and a missing file', async () => {
    const file = path.join(dir, 'package.json');
    writeFileSync(file, '{"name": "not-a-project"}');
    await expect(openProjectFile(file)).rejects.toThrow(/not an HTLNet Studio project|format/);
    await expect(openProjectFile(dir)).rejects.toThrow(/is a folder/);
    await expect(openProjectFile(path.join(dir, 'nope.htlnet.json'))).rejects.toThrow(
      /does not exist/,
    );
  });

  it('parses uploaded text with the file name in messages', () => {
    expect(() => parseProjectText('[1,2]', 'upload.htlnet.json')).toThrow(/upload\.htlnet\.json/);
    const ok = parseProjectText(JSON.stringify(project()), 'Funnel.htlnet.json');
    expect(ok.name).toBe('Funnel');
    expect(ok.path).toBeNull();
  });
});

describe('save', () => {
  it('writes atomically, adds the extension and round-trips', async () => {
    const saved = await saveProjectFile(path.join(dir, 'funnel'), project());
    expect(saved.path).toBe(path.join(dir, 'funnel.htlnet.json'));
    expect(readdirSync(dir)).toEqual(['funnel.htlnet.json']); // no temporary file left
    const reopened = await openProjectFile(saved.path);
    expect(reopened.project).toEqual(project());
    expect(reopened.migratedFrom).toBeNull();
  });

  it('overwrites a project but never a file that is not one', async () => {
    const target = path.join(dir, 'a.htlnet.json');
    await saveProjectFile(target, project());
    await saveProjectFile(target, { ...project(), name: 'Second' });
    expect((await openProjectFile(target)).project.name).toBe('Second');

    const notes = path.join(dir, 'notes.json');
    writeFileSync(notes, '{"todo": "keep me"}');
    await expect(saveProjectFile(notes, project())).rejects.toThrow(/not an HTLNet Studio project/);
    expect(readFileSync(notes, 'utf8')).toBe('{"todo": "keep me"}');

    const csv = path.join(dir, 'data.json');
    writeFileSync(csv, 'a,b\n1,2\n');
    await expect(saveProjectFile(csv, project())).rejects.toThrow(/was not overwritten/);
    expect(readFileSync(csv, 'utf8')).toBe('a,b\n1,2\n');
  });
});

describe('recent projects and recovery', () => {
  it('keeps the most recent first, without duplicates, capped, with existence', async () => {
    const store = new ProjectStore(path.join(dir, 'state'));
    for (let i = 0; i < RECENT_LIMIT + 3; i++) {
      const file = path.join(dir, `p${i}.htlnet.json`);
      await saveProjectFile(file, project());
      await store.touch(file, `p${i}`);
    }
    await store.touch(path.join(dir, 'p5.htlnet.json'), 'p5');
    rmSync(path.join(dir, 'p14.htlnet.json'));
    const recent = await store.recent();
    expect(recent).toHaveLength(RECENT_LIMIT);
    expect(recent[0].name).toBe('p5');
    expect(recent.filter((r) => r.name === 'p5')).toHaveLength(1);
    expect(recent.find((r) => r.name === 'p14')?.exists).toBe(false);
    expect(recent.find((r) => r.name === 'p13')?.exists).toBe(true);
  });

  it('round-trips a recovery snapshot, ignores a damaged one, clears it', async () => {
    const store = new ProjectStore(path.join(dir, 'state'));
    expect(await store.readRecovery()).toBeNull();
    await store.writeRecovery({ project: project(), path: null, name: 'Untitled' });
    const got = await store.readRecovery();
    expect(got?.project).toEqual(project());
    expect(got?.name).toBe('Untitled');
    expect(Date.parse(got?.savedAt ?? '')).not.toBeNaN();
    writeFileSync(path.join(dir, 'state', 'recovery.htlnet.json'), '{"half": ');
    expect(await store.readRecovery()).toBeNull();
    await store.clearRecovery();
    expect(await store.readRecovery()).toBeNull();
  });
});

describe('paths in browser mode', () => {
  it('confines paths to the workspace', () => {
    const ws = path.join(dir, 'ws');
    const policy = new PathPolicy([ws], ws);
    expect(policy.resolve('a.htlnet.json')).toBe(path.join(ws, 'a.htlnet.json'));
    expect(() => policy.resolve('../outside.json')).toThrow(/outside the workspace/);
    expect(() => policy.resolve('/etc/passwd')).toThrow(/outside the workspace/);
    expect(() => policy.resolve('')).toThrow(/empty/);
    expect(policy.parentOf(ws)).toBeNull();
    expect(new PathPolicy(null, ws).resolve('/etc/passwd')).toBe('/etc/passwd');
  });

  it('lists folders first, then files of the kind', async () => {
    const ws = path.join(dir, 'ws');
    const policy = new PathPolicy([ws], ws);
    await saveProjectFile(path.join(ws, 'b.htlnet.json'), project());
    writeFileSync(path.join(ws, 'data.csv'), 'a\n1\n');
    writeFileSync(path.join(ws, '.hidden.csv'), 'a\n1\n');
    rmSync(path.join(ws, 'sub'), { recursive: true, force: true });
    await saveProjectFile(path.join(ws, 'sub', 'c.htlnet.json'), project());
    const projects = await listFiles(policy, null, 'project');
    expect(projects.entries.map((e) => e.name)).toEqual(['sub', 'b.htlnet.json']);
    expect(projects.parent).toBeNull();
    const csv = await listFiles(policy, null, 'csv');
    expect(csv.entries.map((e) => e.name)).toEqual(['sub', 'data.csv']);
    const sub = await listFiles(policy, path.join(ws, 'sub'), 'project');
    expect(sub.parent).toBe(ws);
    await expect(listFiles(policy, dir, 'csv')).rejects.toThrow(/outside the workspace/);
  });

  it('saves uploads under safe, fresh names', async () => {
    const up = path.join(dir, 'uploads');
    const first = await saveUpload(up, 'sales.csv', Readable.from([Buffer.from('a,b\n1,2\n')]));
    const second = await saveUpload(up, '../../sales.csv', Readable.from([Buffer.from('x\n')]));
    expect(path.basename(first)).toBe('sales.csv');
    expect(path.basename(second)).toBe('sales (2).csv');
    expect(readFileSync(first, 'utf8')).toBe('a,b\n1,2\n');
    expect(() => safeFileName('..')).toThrow(/not a usable file name/);
    expect(() => safeFileName('.bashrc')).toThrow(/not a usable file name/);
  });
});
