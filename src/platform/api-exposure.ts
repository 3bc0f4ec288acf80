import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { apiAuthToken, ConfigError, type AppConfig } from './config.js';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

function isLoopback(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && loopback.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** Every address `host` stands for: itself when it is an IP literal, otherwise what the resolver says. */
async function addressesOf(host: string): Promise<string[]> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) return [bare];
  try {
    return (await lookup(bare, { all: true })).map((entry) => entry.address);
  } catch {
    return [];
  }
}

/**
 * The bearer token the API will require, after checking the API may listen where it is told to.
 * Without a token (ALLOW_INSECURE_INTERNAL_AUTH=true) only loopback is allowed: a host that names
 * or resolves to anything else, even alongside loopback, is a configuration error. Runs before
 * anything listens, so an open API is never reachable from another machine, not even briefly.
 */
export async function checkApiExposure(config: AppConfig): Promise<string | undefined> {
  const token = apiAuthToken(config);
  if (token !== undefined) return token;
  const host = config.http.host;
  const addresses = await addressesOf(host);
  const exposed = addresses.filter((address) => !isLoopback(address));
  if (addresses.length === 0 || exposed.length > 0) {
    const what =
      addresses.length === 0 ? `does not resolve to any address` : `reaches ${exposed.join(', ')}, which is not loopback`;
    throw new ConfigError([
      `HTTP_HOST: ${host} ${what}; with ALLOW_INSECURE_INTERNAL_AUTH=true the API has no token and may listen only on loopback ` +
        '(127.0.0.0/8, ::1 or localhost): set HTTP_HOST=127.0.0.1, or set INTERNAL_AUTH_TOKEN and ALLOW_INSECURE_INTERNAL_AUTH=false',
    ]);
  }
  return undefined;
}
