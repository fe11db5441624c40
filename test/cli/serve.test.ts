import { PassThrough } from 'node:stream';
import t from 'tap';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

function captureIo(): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const outChunks: string[] = [];
  const errChunks: string[] = [];
  stdout.on('data', (chunk: Buffer) => outChunks.push(chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => errChunks.push(chunk.toString('utf8')));
  return {
    io: { stdout, stderr, stdin: new PassThrough(), env: { LOG_LEVEL: 'silent' } },
    out: () => outChunks.join(''),
    err: () => errChunks.join(''),
  };
}

t.test('serve start-up mistakes give one line', async (t) => {
  const cases = [
    {
      name: 'missing certificate file',
      args: ['--state', 'examples/cluster', '--tls-cert', 'test/fixtures/no-such.crt', '--tls-key', 'test/fixtures/no-such.key'],
      stderr: /^netpol-guard serve: failed to read the certificate file test\/fixtures\/no-such\.crt: ENOENT[^\n]*; check --tls-cert and --tls-key\n$/,
    },
    {
      name: 'missing kubeconfig',
      args: ['--kubeconfig', 'test/fixtures/no-such-kubeconfig', '--tls-cert', 'a.crt', '--tls-key', 'a.key'],
      stderr: /^netpol-guard serve: --kubeconfig test\/fixtures\/no-such-kubeconfig: not found\n$/,
    },
    {
      name: 'no state source',
      args: ['--tls-cert', 'a.crt', '--tls-key', 'a.key'],
      stderr: /^netpol-guard serve: give exactly one of --state PATH, --kubeconfig FILE or --in-cluster\n$/,
    },
    {
      name: 'unknown option',
      args: ['--prot', '8443'],
      stderr: /^netpol-guard serve: Unknown option '--prot'; see 'netpol-guard serve --help'\n$/,
    },
  ];
  for (const testCase of cases) {
    const { io, err } = captureIo();
    const code = await main(['serve', ...testCase.args], io);
    t.equal(code, 2, `${testCase.name}: exit code`);
    t.match(err(), testCase.stderr, `${testCase.name}: stderr`);
  }
});
