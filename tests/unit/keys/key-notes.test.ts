import { createHash } from 'node:crypto';

import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { keyFingerprint, keyNotes } from '@/lib/keys/key-notes';
import { cleanKeyName, KEY_NOTES_STORAGE_KEY, MAX_PLACES_PER_KEY, placeOrigin } from '@/lib/settings/key-notes';
import { normalizeServerUrl } from '@/lib/ragflow/server-url';

const KEY = `ragflow-${'a1B2_c3D4-'.repeat(4)}xyz`;
const OTHER = `ragflow-${'Z9y8X7w6v5'.repeat(4)}abc`;
const OWNER = { serverUrl: normalizeServerUrl('http://rag.test'), email: 'Alice@Example.com' };

/** Everything the notes put in storage.local, as stored. */
async function stored(): Promise<string> {
  return JSON.stringify(await fakeBrowser.storage.local.get(null));
}

beforeEach(() => fakeBrowser.reset());

describe('key fingerprints', () => {
  it('are the SHA-256 of the key, hex: the same for the same key, different for another', async () => {
    const print = await keyFingerprint(KEY);
    expect(print).toBe(createHash('sha256').update(KEY).digest('hex'));
    expect(print).toMatch(/^[0-9a-f]{64}$/);
    expect(await keyFingerprint(KEY)).toBe(print);
    expect(await keyFingerprint(OTHER)).not.toBe(print);
  });
});

describe('paste records', () => {
  it('keep the origin and the time only, under the fingerprint, never the key', async () => {
    await keyNotes.recordPaste(OWNER, KEY, 'https://n8n.example.com', 1000);
    const notes = await keyNotes.all();
    expect(notes).toEqual({
      [await keyFingerprint(KEY)]: {
        serverUrl: 'http://rag.test',
        email: 'alice@example.com',
        places: [{ origin: 'https://n8n.example.com', at: 1000 }],
      },
    });
    expect(await stored()).not.toContain(KEY);
  });

  it('keep nothing of a path, a query or a fragment, and nothing for an opaque origin', async () => {
    await keyNotes.recordPaste(OWNER, KEY, 'https://n8n.example.com:8443/workflow/7?token=secret#x', 1);
    await keyNotes.recordPaste(OWNER, KEY, 'null', 2);
    await keyNotes.recordPaste(OWNER, KEY, 'data:text/html,<p>page</p>', 3);
    const text = await stored();
    expect(text).toContain('https://n8n.example.com:8443');
    for (const part of ['workflow', 'secret', '#x', 'page', 'data:']) expect(text).not.toContain(part);
    expect((await keyNotes.forKeys([KEY])).get(KEY)?.places).toEqual([
      { origin: 'https://n8n.example.com:8443', at: 1 },
    ]);
  });

  it('keep one entry per origin, newest first, and at most the newest few', async () => {
    await keyNotes.recordPaste(OWNER, KEY, 'https://a.test', 1);
    await keyNotes.recordPaste(OWNER, KEY, 'https://b.test', 2);
    await keyNotes.recordPaste(OWNER, KEY, 'https://a.test', 3);
    expect((await keyNotes.forKeys([KEY])).get(KEY)?.places).toEqual([
      { origin: 'https://a.test', at: 3 },
      { origin: 'https://b.test', at: 2 },
    ]);
    for (let i = 0; i < MAX_PLACES_PER_KEY + 5; i++)
      await keyNotes.recordPaste(OWNER, KEY, `https://h${i}.test`, 10 + i);
    const places = (await keyNotes.forKeys([KEY])).get(KEY)?.places ?? [];
    expect(places).toHaveLength(MAX_PLACES_PER_KEY);
    expect(places[0]?.origin).toBe(`https://h${MAX_PLACES_PER_KEY + 4}.test`);
  });

  it('do not lose a write when several come at once', async () => {
    await Promise.all([
      keyNotes.recordPaste(OWNER, KEY, 'https://a.test', 1),
      keyNotes.recordPaste(OWNER, KEY, 'https://b.test', 2),
      keyNotes.setName(OWNER, KEY, 'n8n prod'),
    ]);
    const note = (await keyNotes.forKeys([KEY])).get(KEY);
    expect(note?.name).toBe('n8n prod');
    expect(note?.places.map((place) => place.origin).sort()).toEqual(['https://a.test', 'https://b.test']);
  });

  it('are cleared on request, leaving the names', async () => {
    await keyNotes.recordPaste(OWNER, KEY, 'https://a.test', 1);
    await keyNotes.setName(OWNER, KEY, 'n8n prod');
    await keyNotes.recordPaste(OWNER, OTHER, 'https://b.test', 2);
    await keyNotes.clearPlaces();
    expect(Object.values(await keyNotes.all())).toEqual([
      { serverUrl: 'http://rag.test', email: 'alice@example.com', name: 'n8n prod', places: [] },
    ]);
  });
});

describe('key names', () => {
  it('are trimmed, cut to length, and removed when blank', async () => {
    expect(await keyNotes.setName(OWNER, KEY, '  n8n   prod ')).toBe('n8n prod');
    expect(cleanKeyName('x'.repeat(100))).toHaveLength(60);
    expect(await keyNotes.setName(OWNER, KEY, '   ')).toBeUndefined();
    // Nothing left in the note: no note, and no item at all.
    expect(await fakeBrowser.storage.local.get(KEY_NOTES_STORAGE_KEY)).toEqual({});
  });

  it('go with the key to its successor in a rotation', async () => {
    await keyNotes.setName(OWNER, KEY, 'n8n prod');
    await keyNotes.carryName(OWNER, KEY, OTHER);
    expect((await keyNotes.forKeys([OTHER])).get(OTHER)?.name).toBe('n8n prod');
  });
});

describe("a note's life", () => {
  beforeEach(async () => {
    await keyNotes.setName(OWNER, KEY, 'one');
    await keyNotes.recordPaste(OWNER, OTHER, 'https://a.test', 1);
    await keyNotes.recordPaste(
      { serverUrl: normalizeServerUrl('http://other.test'), email: 'a@b.c' },
      `${KEY}Q`,
      'https://a.test',
      1,
    );
  });

  it('ends with its key: revoked, or no longer in a list of its account', async () => {
    await keyNotes.forgetKeys([KEY]);
    expect([...(await keyNotes.forKeys([KEY, OTHER])).keys()]).toEqual([OTHER]);
    await keyNotes.keepOnlyListed({ serverUrl: normalizeServerUrl('http://rag.test'), email: 'ALICE@example.com' }, []);
    expect(await keyNotes.forKeys([OTHER])).toEqual(new Map());
    // Another server's notes are not that list's business.
    expect(Object.keys(await keyNotes.all())).toHaveLength(1);
  });

  it('ends with its server', async () => {
    await keyNotes.forgetServer(normalizeServerUrl('http://rag.test'));
    expect(Object.values(await keyNotes.all()).map((note) => note.serverUrl)).toEqual(['http://other.test']);
  });
});

describe('placeOrigin', () => {
  it('keeps scheme, host and port only', () => {
    expect(placeOrigin('http://localhost:5678/path?q')).toBe('http://localhost:5678');
    expect(placeOrigin('not a url')).toBeUndefined();
    expect(placeOrigin('about:blank')).toBeUndefined();
  });
});
