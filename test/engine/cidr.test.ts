import t from 'tap';
import { cidrContains, cidrWithin, parseAddress, parseCidr, type Cidr } from '../../src/engine/cidr.js';

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

t.test('parseAddress', async (t) => {
  const cases: Array<[string, string, ReturnType<typeof parseAddress>]> = [
    ['IPv4', '10.0.1.2', { family: 4, value: 0x0a000102n }],
    ['IPv4 zero', '0.0.0.0', { family: 4, value: 0n }],
    ['IPv4 broadcast', '255.255.255.255', { family: 4, value: 0xffffffffn }],
    ['IPv6 full', '2001:db8:0:0:0:0:0:1', { family: 6, value: 0x20010db8000000000000000000000001n }],
    ['IPv6 compressed', '2001:db8::1', { family: 6, value: 0x20010db8000000000000000000000001n }],
    ['IPv6 loopback', '::1', { family: 6, value: 1n }],
    ['IPv6 unspecified', '::', { family: 6, value: 0n }],
    ['IPv6 compressed at the end', 'fd00::', { family: 6, value: 0xfd000000000000000000000000000000n }],
    ['IPv4-mapped IPv6', '::ffff:10.0.0.1', { family: 6, value: 0xffff0a000001n }],
    ['hostname', 'example', undefined],
    ['IPv4 with an octet above 255', '10.0.0.256', undefined],
    ['IPv4 with a leading zero', '10.0.0.01', undefined],
    ['empty text', '', undefined],
  ];
  for (const [name, text, expected] of cases) {
    t.same(parseAddress(text), expected, name);
  }
});

t.test('parseCidr', async (t) => {
  const cases: Array<[string, string, Cidr | string]> = [
    ['IPv4 network', '10.0.0.0/8', { family: 4, network: 0x0a000000n, prefixLength: 8 }],
    ['IPv4 host bits are masked off', '10.1.2.3/16', { family: 4, network: 0x0a010000n, prefixLength: 16 }],
    ['IPv4 all addresses', '0.0.0.0/0', { family: 4, network: 0n, prefixLength: 0 }],
    ['IPv4 single address', '169.254.20.10/32', { family: 4, network: 0xa9fe140an, prefixLength: 32 }],
    ['IPv6 network', 'fd00:10::/32', { family: 6, network: 0xfd000010000000000000000000000000n, prefixLength: 32 }],
    ['IPv6 all addresses', '::/0', { family: 6, network: 0n, prefixLength: 0 }],
    ['IPv6 single address', '2001:db8::1/128', { family: 6, network: 0x20010db8000000000000000000000001n, prefixLength: 128 }],
    ['missing prefix length', '10.0.0.0', '"10.0.0.0" is not a CIDR: the prefix length is missing (for example 10.0.0.0/8)'],
    ['invalid address', '10.0.0/8', '"10.0.0/8" is not a CIDR: the address is invalid'],
    ['IPv4 prefix above 32', '10.0.0.0/33', '"10.0.0.0/33" is not a CIDR: the prefix length must be 0 to 32'],
    ['IPv6 prefix above 128', '::/129', '"::/129" is not a CIDR: the prefix length must be 0 to 128'],
    ['negative prefix', '10.0.0.0/-1', '"10.0.0.0/-1" is not a CIDR: the prefix length must be 0 to 32'],
    ['empty prefix', '10.0.0.0/', '"10.0.0.0/" is not a CIDR: the prefix length must be 0 to 32'],
  ];
  for (const [name, text, expected] of cases) {
    t.same(parseCidr(text), expected, name);
  }
  t.equal(parseCidr(42 as unknown as string), 'must be a CIDR string such as 10.0.0.0/8', 'number instead of string');
});

t.test('cidrContains', async (t) => {
  const cases: Array<[string, string, string, boolean]> = [
    ['IPv4 inside', '10.0.0.0/8', '10.200.3.4', true],
    ['IPv4 first address', '10.0.0.0/8', '10.0.0.0', true],
    ['IPv4 last address', '10.0.0.0/8', '10.255.255.255', true],
    ['IPv4 just outside', '10.0.0.0/8', '11.0.0.0', false],
    ['IPv4 /32 itself', '169.254.20.10/32', '169.254.20.10', true],
    ['IPv4 /32 neighbour', '169.254.20.10/32', '169.254.20.11', false],
    ['IPv4 /0 contains any IPv4', '0.0.0.0/0', '203.0.113.9', true],
    ['IPv4 /0 contains no IPv6', '0.0.0.0/0', '2001:db8::1', false],
    ['IPv6 inside', 'fd00:10::/32', 'fd00:10:0:1::5', true],
    ['IPv6 outside', 'fd00:10::/32', 'fd00:11::5', false],
    ['IPv6 /0 contains no IPv4', '::/0', '10.0.0.1', false],
    ['IPv4-mapped IPv6 is IPv6', '::ffff:0:0/96', '::ffff:10.0.0.1', true],
  ];
  for (const [name, network, address, expected] of cases) {
    t.equal(cidrContains(cidr(network), parseAddress(address)!), expected, name);
  }
});

t.test('cidrWithin', async (t) => {
  const cases: Array<[string, string, string, boolean]> = [
    ['subnet', '10.1.0.0/16', '10.0.0.0/8', true],
    ['equal networks', '10.0.0.0/8', '10.0.0.0/8', true],
    ['wider network', '10.0.0.0/7', '10.0.0.0/8', false],
    ['disjoint network', '192.168.0.0/16', '10.0.0.0/8', false],
    ['other family', 'fd00::/8', '0.0.0.0/0', false],
    ['IPv6 subnet', 'fd00:10:1::/48', 'fd00:10::/32', true],
  ];
  for (const [name, inner, outer, expected] of cases) {
    t.equal(cidrWithin(cidr(inner), cidr(outer)), expected, name);
  }
});
