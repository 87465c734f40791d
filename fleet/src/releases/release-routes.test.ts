import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestFleet } from '@locker/test-kit/fleet';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signArtifact } from '../../../scripts/artifact-signing.ts';
import type { Fleet } from '../fleet.ts';
import { buildApp } from '../http/app.ts';

const password = 'a long enough password';
const work = mkdtempSync(join(tmpdir(), 'release-routes-'));
const artifactBytes = randomBytes(200 * 1024);
const artifact = join(work, 'locker-0.2.0.tar.gz');
writeFileSync(artifact, artifactBytes);
const releaseKey = generateKeyPairSync('ed25519').privateKey;
let fleet: Fleet;
let app: FastifyInstance;
let admin: Record<string, string>;
let it_: Record<string, string>;

async function login(username: string): Promise<Record<string, string>> {
  const response = await app.inject({ method: 'POST', url: '/api/login', payload: { username, password } });
  return {
    cookie: String(response.headers['set-cookie']).split(';')[0]!,
    'x-csrf-token': response.json().csrfToken,
  };
}

async function upload(headers: Record<string, string>, body: Buffer, version = '0.2.0') {
  const signed = await signArtifact(artifact, releaseKey, new Date('2026-11-25T10:00:00Z'));
  return app.inject({
    method: 'PUT',
    url: `/api/releases/locker/${version}`,
    headers: {
      ...headers,
      'content-type': 'application/octet-stream',
      'x-signed-manifest': Buffer.from(JSON.stringify(signed)).toString('base64'),
    },
    payload: body,
  });
}

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.start();
  app = buildApp({ ...fleet.httpServices(), logger: pino({ level: 'silent' }), secureCookies: false });
  await app.ready();
  fleet.store.directory.upsertMunicipality('ieper', 'Ieper');
  await fleet.staff.create(
    { username: 'admin', display: 'A', password, role: 'admin', municipalities: ['*'] },
    'test',
  );
  await fleet.staff.create(
    { username: 'it-ieper', display: 'I', password, role: 'it', municipalities: ['ieper'] },
    'test',
  );
  admin = await login('admin');
  it_ = await login('it-ieper');
});
afterAll(async () => {
  await app.close();
  await fleet.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('releases through the fleet API', () => {
  it('refuses an upload from IT staff, and one whose bytes are not the signed ones (nothing kept)', async () => {
    expect((await upload(it_, artifactBytes)).statusCode).toBe(403);
    const changed = Buffer.from(artifactBytes);
    changed[100] = (changed[100] ?? 0) ^ 1;
    const response = await upload(admin, changed);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('RELEASE_DIGEST_MISMATCH');
    expect((await upload(admin, artifactBytes.subarray(1))).json().error.code).toBe('RELEASE_SIZE_MISMATCH');
    expect((await upload(admin, artifactBytes, '0.3.0')).json().error.code).toBe('RELEASE_MANIFEST_MISMATCH');
    expect(fleet.releaseFiles.has('0.2.0')).toBe(false);
  });

  it('takes an admin upload, lists it, audits it, and refuses the same version twice', async () => {
    const response = await upload(admin, artifactBytes);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ version: '0.2.0', size: artifactBytes.length });
    const list = await app.inject({ method: 'GET', url: '/api/releases', headers: it_ });
    expect(list.json()).toMatchObject([{ version: '0.2.0', role: 'locker', size: artifactBytes.length }]);
    expect(fleet.store.audit.list({ municipalities: 'all', limit: 5 }).map((a) => a.action)).toContain(
      'release.upload',
    );
    expect((await upload(admin, artifactBytes)).statusCode).toBe(409);
  });

  it('serves the artifact whole and from a byte offset (Range), and 416 past its end', async () => {
    const url = '/api/releases/locker/0.2.0/artifact';
    const whole = await app.inject({ method: 'GET', url });
    expect(whole.statusCode).toBe(200);
    expect(whole.rawPayload.equals(artifactBytes)).toBe(true);
    const rest = await app.inject({ method: 'GET', url, headers: { range: 'bytes=60000-' } });
    expect(rest.statusCode).toBe(206);
    expect(rest.headers['content-range']).toBe(
      `bytes 60000-${artifactBytes.length - 1}/${artifactBytes.length}`,
    );
    expect(rest.rawPayload.equals(artifactBytes.subarray(60000))).toBe(true);
    const past = await app.inject({
      method: 'GET',
      url,
      headers: { range: `bytes=${artifactBytes.length}-` },
    });
    expect(past.statusCode).toBe(416);
    expect((await app.inject({ method: 'GET', url: '/api/releases/locker/9.9.9/artifact' })).statusCode).toBe(
      404,
    );
  });

  it('documents the upload’s success body and its error codes by status in the OpenAPI document', async () => {
    const doc = (await app.inject('/docs/openapi.json')).json() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: object }> }>>;
    };
    const upload = doc.paths['/api/releases/locker/{version}']?.put;
    const codes = (status: number) =>
      JSON.stringify(upload?.responses[String(status)]?.content).match(/RELEASE_[A-Z_]+/g) ?? [];
    expect(upload?.responses['200']?.content).toBeDefined();
    expect(new Set(codes(400))).toEqual(
      new Set([
        'RELEASE_MANIFEST_INVALID',
        'RELEASE_MANIFEST_MISMATCH',
        'RELEASE_BODY_MISSING',
        'RELEASE_TOO_LARGE',
        'RELEASE_SIZE_MISMATCH',
        'RELEASE_DIGEST_MISMATCH',
      ]),
    );
    expect(new Set(codes(409))).toEqual(new Set(['RELEASE_EXISTS']));
  });
});
