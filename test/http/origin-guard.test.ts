import { describe, expect, it } from 'vitest';
import { checkOrigin } from '../../lambda/http/origin-guard.js';

const local = { allowedHosts: ['localhost', '127.0.0.1', '[::1]'] };

describe('Function: checkOrigin', () => {
  it('accepts a request without an Origin header (non-browser clients)', () => {
    expect(checkOrigin({ host: 'api.example.com' }, {})).toEqual({ ok: true });
  });

  it('accepts an Origin equal to the request’s own', () => {
    expect(checkOrigin({ host: 'api.example.com', origin: 'https://api.example.com' }, {})).toEqual({ ok: true });
    expect(checkOrigin({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' }, local)).toEqual({ ok: true });
  });

  it('refuses an Origin from another site', () => {
    const check = checkOrigin({ host: 'api.example.com', origin: 'https://evil.example' }, {});
    expect(check).toMatchObject({ ok: false, message: expect.stringMatching(/evil\.example/) });
  });

  it('refuses the same host on another port, and a malformed Origin', () => {
    expect(checkOrigin({ host: 'localhost:3000', origin: 'http://localhost:8080' }, local).ok).toBe(false);
    expect(checkOrigin({ host: 'localhost:3000', origin: 'null' }, local).ok).toBe(false);
  });

  it('accepts an explicitly allowed Origin', () => {
    expect(
      checkOrigin({ host: 'localhost:3000', origin: 'http://localhost:6274' }, { ...local, allowedOrigins: ['http://localhost:6274'] }),
    ).toEqual({ ok: true });
  });

  it('accepts allowed hosts with or without a port', () => {
    expect(checkOrigin({ host: 'localhost:3000' }, local)).toEqual({ ok: true });
    expect(checkOrigin({ host: '127.0.0.1' }, local)).toEqual({ ok: true });
    expect(checkOrigin({ host: '[::1]:3000' }, local)).toEqual({ ok: true });
    expect(checkOrigin({ host: '127.0.0.1:3000' }, { allowedHosts: ['127.0.0.1:3000'] })).toEqual({ ok: true });
  });

  it('refuses a foreign or missing Host when hosts are restricted (DNS rebinding)', () => {
    expect(checkOrigin({ host: 'evil.example:3000' }, local)).toMatchObject({ ok: false, message: expect.stringMatching(/Host header/) });
    expect(checkOrigin({ host: 'localhost.evil.example' }, local).ok).toBe(false);
    expect(checkOrigin({}, local).ok).toBe(false);
  });

  it('refuses a rebound page even though its Origin matches its Host', () => {
    expect(checkOrigin({ host: 'evil.example:3000', origin: 'http://evil.example:3000' }, local).ok).toBe(false);
  });

  it('accepts any Host when hosts are not restricted (API Gateway routes by host itself)', () => {
    expect(checkOrigin({ host: 'abc123.execute-api.eu-west-1.amazonaws.com' }, {})).toEqual({ ok: true });
  });
});
