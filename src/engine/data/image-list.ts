// Lists the PNG/JPEG files of a folder or a zip (sorted like EDM's ImageFolderDataset) and reads dataset.json labels.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readAt } from './bytesource';
import { ZipFile } from './zip';
import { UserError } from '../errors';

export const IMAGE_EXT = /\.(png|jpe?g)$/i;

/** One image file, named by its '/'-separated path relative to the folder or zip root. */
export interface ImageEntry {
  name: string;
  head(n: number): Promise<Buffer>;
  load(): Promise<Buffer>;
}

export interface ImageCollection {
  kind: 'images-folder' | 'images-zip';
  entries: ImageEntry[];
  /** The text of dataset.json, when there is one. */
  datasetJson?: string;
  /** Files for DatasetInfo.identity (the zip itself, or every image and dataset.json). */
  identityPaths: string[];
  close(): Promise<void>;
}

/** Hidden files, macOS resource forks (__MACOSX/) and the like are not images of the dataset. */
function skipped(rel: string): boolean {
  return rel.split('/').some((part) => part.startsWith('.') || part === '__MACOSX');
}

/** Python's sorted() order on the relative names (by code point). */
function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

async function walk(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const d of await fs.promises.readdir(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (skipped(r)) continue;
    if (d.isDirectory()) out.push(...await walk(root, r));
    else if (d.isFile() && IMAGE_EXT.test(d.name)) out.push(r);
  }
  return out;
}

export async function listFolder(dir: string): Promise<ImageCollection> {
  const names = await walk(dir);
  const entries: ImageEntry[] = names.map((name) => {
    const file = path.join(dir, ...name.split('/'));
    return {
      name,
      load: () => fs.promises.readFile(file),
      head: async (n: number) => {
        const fh = await fs.promises.open(file, 'r');
        try { return await readAt(fh, 0, n); } finally { await fh.close(); }
      },
    };
  }).sort(byName);
  const jsonPath = path.join(dir, 'dataset.json');
  const datasetJson = await fs.promises.readFile(jsonPath, 'utf8').catch(() => undefined);
  const identityPaths = entries.map((e) => path.join(dir, ...e.name.split('/')));
  if (datasetJson !== undefined) identityPaths.push(jsonPath);
  return { kind: 'images-folder', entries, datasetJson, identityPaths, close: async () => undefined };
}

export async function listZip(file: string): Promise<ImageCollection> {
  const zip = await ZipFile.open(file);
  try {
    const entries: ImageEntry[] = zip.entries
      .filter((e) => !e.name.endsWith('/') && IMAGE_EXT.test(e.name) && !skipped(e.name))
      .map((e) => ({ name: e.name, head: (n: number) => zip.head(e, n), load: () => zip.read(e) }))
      .sort(byName);
    const json = zip.entries.find((e) => e.name === 'dataset.json');
    const datasetJson = json ? (await zip.read(json)).toString('utf8') : undefined;
    return { kind: 'images-zip', entries, datasetJson, identityPaths: [file], close: () => zip.close() };
  } catch (e) {
    await zip.close();
    throw e;
  }
}

/**
 * Labels from EDM's dataset.json: {"labels": [["00000/img00000000.png", 6], ...]} (or null for none), matched
 * to the sorted image names. Returns undefined when there are no labels.
 */
export function parseDatasetJson(text: string, names: readonly string[], where: string): Int32Array | undefined {
  let json: { labels?: unknown };
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${where}: dataset.json is not valid JSON (${(e as Error).message})`);
  }
  if (json.labels === null || json.labels === undefined) return undefined;
  if (!Array.isArray(json.labels)) throw new UserError(`${where}: dataset.json "labels" should be a list of [file, label] pairs`);
  const map = new Map<string, unknown>();
  for (const pair of json.labels as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
      throw new UserError(`${where}: dataset.json "labels" should be a list of [file, label] pairs, found ${JSON.stringify(pair)}`);
    }
    map.set(pair[0].replace(/\\/g, '/'), pair[1]);
  }
  const out = new Int32Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const v = map.get(names[i]);
    if (v === undefined) {
      throw new UserError(`${where}: dataset.json has no label for ${names[i]} (it lists ${map.size} files for ` +
        `${names.length} images)`);
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new UserError(`${where}: dataset.json label of ${names[i]} is ${JSON.stringify(v)}; only whole-number class ` +
        'labels are supported');
    }
    out[i] = v;
  }
  return out;
}
