import { cliEnvSchema, parseEnv } from '@mediatag/config';
import { UsageError } from '@mediatag/errors';
import { describe, expect, it } from 'vitest';
import { gatewayAuth } from './settings.ts';

const env = (vars: Record<string, string>) =>
  parseEnv(cliEnvSchema, { ASSEMBLYAI_API_KEY: 'aai-key-12345', ...vars });

describe('gatewayAuth: which key goes to LLM_GATEWAY_URL', () => {
  it("sends the AssemblyAI key, raw, to AssemblyAI's own gateways (US and EU)", () => {
    expect(gatewayAuth(env({}))).toEqual({ apiKey: 'aai-key-12345', scheme: 'raw', assemblyAi: true });
    expect(gatewayAuth(env({ LLM_GATEWAY_URL: 'https://llm-gateway.eu.assemblyai.com' })).apiKey).toBe(
      'aai-key-12345',
    );
  });

  it('sends it to the origin the user set ASSEMBLYAI_BASE_URL to (the emulator, a proxy)', () => {
    const local = env({
      ASSEMBLYAI_BASE_URL: 'http://127.0.0.1:8089',
      LLM_GATEWAY_URL: 'http://127.0.0.1:8089',
    });
    expect(gatewayAuth(local)).toEqual({ apiKey: 'aai-key-12345', scheme: 'raw', assemblyAi: true });
  });

  it('never sends it to another endpoint: LLM_API_KEY as Bearer there, and without one a usage error', () => {
    const foreign = { LLM_GATEWAY_URL: 'https://llm.example.com/openai' };
    expect(() => gatewayAuth(env(foreign))).toThrow(UsageError);
    expect(() => gatewayAuth(env(foreign))).toThrow(
      "LLM_GATEWAY_URL https://llm.example.com is not AssemblyAI's: set LLM_API_KEY for it (the AssemblyAI key is never sent there)",
    );
    expect(gatewayAuth(env({ ...foreign, LLM_API_KEY: 'sk-other-provider' }))).toEqual({
      apiKey: 'sk-other-provider',
      scheme: 'bearer',
      assemblyAi: false,
    });
    // A look-alike host is not AssemblyAI's.
    expect(() => gatewayAuth(env({ LLM_GATEWAY_URL: 'https://assemblyai.com.evil.example' }))).toThrow(
      UsageError,
    );
  });
});
