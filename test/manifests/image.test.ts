// Checks the Dockerfile without a container engine. Its stages follow the
// rules for the image, and .dockerignore keeps the build context to what the
// Dockerfile copies. The entrypoint runs from a production-only install of
// the compiled package, as in the runtime stage.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { REPOSITORY_DIR } from './rendered.js';

const execFileAsync = promisify(execFile);

interface Stage {
  from: string;
  instructions: Array<{ keyword: string; value: string }>;
}

/** Splits a Dockerfile into stages of instructions, without comments and blank lines. */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [keyword, ...rest] = trimmed.split(/\s+/);
    const value = rest.join(' ');
    if (keyword!.toUpperCase() === 'FROM') stages.push({ from: value, instructions: [] });
    else stages.at(-1)?.instructions.push({ keyword: keyword!.toUpperCase(), value });
  }
  return stages;
}

function valuesOf(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.value);
}

const dockerfile = parseDockerfile(readFileSync(join(REPOSITORY_DIR, 'Dockerfile'), 'utf8'));
const [buildStage, runtimeStage] = dockerfile;
const entrypoint = JSON.parse(valuesOf(runtimeStage!, 'ENTRYPOINT')[0] ?? '[]') as string[];

t.test('Dockerfile stages', async (t) => {
  t.equal(dockerfile.length, 2);
  t.strictSame(
    dockerfile.map((stage) => stage.from),
    ['node:20-bookworm-slim AS build', 'node:20-bookworm-slim'],
  );
  t.strictSame(valuesOf(buildStage!, 'RUN'), ['npm ci --no-audit --no-fund', 'npm run build']);
  t.strictSame(valuesOf(runtimeStage!, 'RUN'), ['npm ci --omit=dev --no-audit --no-fund && npm cache clean --force']);
  t.strictSame(valuesOf(runtimeStage!, 'COPY'), ['package.json package-lock.json ./', '--from=build /app/dist ./dist']);
  t.strictSame(valuesOf(runtimeStage!, 'USER'), ['65532:65532']);
  t.strictSame(entrypoint, ['node', 'dist/src/cli/bin.js', 'serve']);
});

t.test('dockerignore admits only copied files', async (t) => {
  const patterns = readFileSync(join(REPOSITORY_DIR, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  t.equal(patterns[0], '**', 'everything is excluded first');

  const admitted = patterns.slice(1).map((pattern) => {
    t.ok(pattern.startsWith('!'), `${pattern} re-includes`);
    return pattern.slice(1);
  });
  const copied = valuesOf(buildStage!, 'COPY').flatMap((value) => value.split(/\s+/).slice(0, -1));
  t.strictSame(admitted.sort(), copied.sort());
  for (const path of ['node_modules', 'dist', 'test', 'certs', '.git']) {
    t.notOk(admitted.includes(path), `${path} stays out`);
  }
});

/** Returns why the npm registry cannot be reached, or undefined when `npm ping` succeeds. */
async function registryProblem(): Promise<string | undefined> {
  try {
    await execFileAsync('npm', ['ping'], { timeout: 30_000 });
    return undefined;
  } catch (error) {
    return `the npm registry is unreachable (npm ping failed: ${((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n')[0]})`;
  }
}

t.test('entrypoint runs from production install', { skip: (await registryProblem()) ?? false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netpol-guard-image-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  // Build stage: the files .dockerignore admits, compiled with the dev
  // dependencies already installed in the repository.
  const context = join(dir, 'build');
  mkdirSync(context);
  for (const path of ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'certs-scripts']) {
    cpSync(join(REPOSITORY_DIR, path), join(context, path), { recursive: true });
  }
  symlinkSync(join(REPOSITORY_DIR, 'node_modules'), join(context, 'node_modules'), 'dir');
  await execFileAsync(process.execPath, [join(REPOSITORY_DIR, 'node_modules/typescript/bin/tsc'), '-p', join(context, 'tsconfig.json')], {
    cwd: context,
  }).catch((error: { stdout?: string }) => {
    throw new Error(`npm run build would fail: ${error.stdout ?? String(error)}`);
  });

  // Runtime stage.
  const app = join(dir, 'app');
  mkdirSync(app);
  cpSync(join(REPOSITORY_DIR, 'package.json'), join(app, 'package.json'));
  cpSync(join(REPOSITORY_DIR, 'package-lock.json'), join(app, 'package-lock.json'));
  await execFileAsync('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, timeout: 90_000 });
  cpSync(join(context, 'dist'), join(app, 'dist'), { recursive: true });

  t.equal(existsSync(join(app, 'node_modules/fastify/package.json')), true, 'production dependency installed');
  t.equal(existsSync(join(app, 'node_modules/typescript')), false, 'dev dependency left out');

  const [command, ...args] = entrypoint;
  t.equal(command, 'node');
  const { stdout, stderr } = await execFileAsync(process.execPath, [...args, '--help'], { cwd: app });
  t.match(stdout, /^Usage: netpol-guard serve /);
  t.equal(stderr, '');
});
