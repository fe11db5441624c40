import t from 'tap';
import { compilePort, portMatches, portNameProblem, type CompiledPort } from '../../src/engine/ports.js';
import type { ContainerPort, NetworkPolicyPort, Protocol } from '../../src/engine/types.js';

const NAME_RULE = 'use 1 to 15 lowercase letters, digits and single "-", with at least one letter';

t.test('portNameProblem', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['plain name', 'http', true],
    ['name with digits and dash', 'dns-tcp', true],
    ['15 characters', 'a'.repeat(15), true],
    ['16 characters', 'a'.repeat(16), false],
    ['uppercase', 'HTTP', false],
    ['digits only', '8080', false],
    ['leading dash', '-http', false],
    ['trailing dash', 'http-', false],
    ['double dash', 'http--alt', false],
    ['empty name', '', false],
    ['underscore', 'http_alt', false],
  ];
  for (const [name, portName, valid] of cases) {
    t.equal(
      portNameProblem(portName),
      valid ? undefined : `port name ${JSON.stringify(portName)} is invalid: ${NAME_RULE}`,
      name,
    );
  }
});

t.test('compilePort', async (t) => {
  const field = 'spec.ingress[0].ports[0]';
  const cases: Array<[string, NetworkPolicyPort, CompiledPort | undefined, Array<{ field: string; message: string }>]> = [
    ['protocol defaults to TCP', { port: 80 }, { protocol: 'TCP', port: 80 }, []],
    ['null protocol defaults to TCP', { protocol: null, port: 80 }, { protocol: 'TCP', port: 80 }, []],
    ['UDP', { protocol: 'UDP', port: 53 }, { protocol: 'UDP', port: 53 }, []],
    ['SCTP', { protocol: 'SCTP', port: 9000 }, { protocol: 'SCTP', port: 9000 }, []],
    ['protocol without port', { protocol: 'UDP' }, { protocol: 'UDP' }, []],
    ['empty entry means every TCP port', {}, { protocol: 'TCP' }, []],
    ['named port', { port: 'http' }, { protocol: 'TCP', name: 'http' }, []],
    ['endPort range', { port: 8000, endPort: 8080 }, { protocol: 'TCP', port: 8000, endPort: 8080 }, []],
    ['endPort equal to port', { port: 8000, endPort: 8000 }, { protocol: 'TCP', port: 8000, endPort: 8000 }, []],
    [
      'lowercase protocol',
      { protocol: 'tcp', port: 80 },
      undefined,
      [{ field: `${field}.protocol`, message: 'unsupported protocol "tcp"; use TCP, UDP or SCTP' }],
    ],
    ['ICMP', { protocol: 'ICMP' }, undefined, [{ field: `${field}.protocol`, message: 'unsupported protocol "ICMP"; use TCP, UDP or SCTP' }]],
    ['port 0', { port: 0 }, undefined, [{ field: `${field}.port`, message: 'port 0 is invalid: use 1 to 65535 or a port name' }]],
    ['port 65536', { port: 65536 }, undefined, [{ field: `${field}.port`, message: 'port 65536 is invalid: use 1 to 65535 or a port name' }]],
    ['fractional port', { port: 80.5 }, undefined, [{ field: `${field}.port`, message: 'port 80.5 is invalid: use 1 to 65535 or a port name' }]],
    [
      'digits as a string',
      { port: '80' },
      undefined,
      [{ field: `${field}.port`, message: `port name "80" is invalid: ${NAME_RULE}` }],
    ],
    [
      'endPort without port',
      { endPort: 8080 },
      undefined,
      [{ field: `${field}.endPort`, message: 'endPort requires a numeric port' }],
    ],
    [
      'endPort with a named port',
      { port: 'http', endPort: 8080 },
      undefined,
      [{ field: `${field}.endPort`, message: 'endPort requires a numeric port' }],
    ],
    [
      'endPort below port',
      { port: 8080, endPort: 8000 },
      undefined,
      [{ field: `${field}.endPort`, message: 'endPort 8000 is invalid: use 8080 to 65535 (at least port)' }],
    ],
    [
      'endPort above 65535',
      { port: 8080, endPort: 70000 },
      undefined,
      [{ field: `${field}.endPort`, message: 'endPort 70000 is invalid: use 8080 to 65535 (at least port)' }],
    ],
  ];
  for (const [name, entry, expected, expectedProblems] of cases) {
    const problems: Array<{ field: string; message: string }> = [];
    t.same(compilePort(entry, field, problems), expected, `${name}: compiled`);
    t.same(problems, expectedProblems, `${name}: problems`);
  }
});

t.test('portMatches', async (t) => {
  const destinationPorts: ContainerPort[] = [
    { name: 'http', containerPort: 8080 },
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
    { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
  ];
  const cases: Array<[string, CompiledPort, number, Protocol, ContainerPort[] | undefined, boolean]> = [
    ['same number and protocol', { protocol: 'TCP', port: 80 }, 80, 'TCP', [], true],
    ['other number', { protocol: 'TCP', port: 80 }, 81, 'TCP', [], false],
    ['other protocol', { protocol: 'TCP', port: 53 }, 53, 'UDP', [], false],
    ['protocol only matches every port', { protocol: 'UDP' }, 40000, 'UDP', [], true],
    ['protocol only still checks the protocol', { protocol: 'UDP' }, 53, 'TCP', [], false],
    ['SCTP', { protocol: 'SCTP', port: 9000 }, 9000, 'SCTP', [], true],
    ['range start', { protocol: 'TCP', port: 8000, endPort: 8080 }, 8000, 'TCP', [], true],
    ['range end', { protocol: 'TCP', port: 8000, endPort: 8080 }, 8080, 'TCP', [], true],
    ['below range', { protocol: 'TCP', port: 8000, endPort: 8080 }, 7999, 'TCP', [], false],
    ['above range', { protocol: 'TCP', port: 8000, endPort: 8080 }, 8081, 'TCP', [], false],
    ['named port resolves to its number', { protocol: 'TCP', name: 'http' }, 8080, 'TCP', destinationPorts, true],
    ['named port does not match another number', { protocol: 'TCP', name: 'http' }, 80, 'TCP', destinationPorts, false],
    ['named port without a protocol means TCP', { protocol: 'UDP', name: 'http' }, 8080, 'UDP', destinationPorts, false],
    ['named UDP port', { protocol: 'UDP', name: 'dns' }, 53, 'UDP', destinationPorts, true],
    ['name on another protocol', { protocol: 'TCP', name: 'dns' }, 53, 'TCP', destinationPorts, false],
    ['named port on a destination without ports', { protocol: 'TCP', name: 'http' }, 8080, 'TCP', undefined, false],
  ];
  for (const [name, entry, port, protocol, ports, expected] of cases) {
    t.equal(portMatches(entry, port, protocol, ports), expected, name);
  }
});
