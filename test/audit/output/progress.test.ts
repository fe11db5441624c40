import { PassThrough } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import t from 'tap';
import { ProgressCounter } from '../../../src/cli/audit-output/progress.js';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

t.test('ProgressCounter disabled prints nothing', async (t) => {
  const { stream, text } = capture();
  const counter = new ProgressCounter(stream, false, 0);
  await delay(1);
  counter.update(500, 'Pod');
  counter.finish();
  t.equal(text(), '');
});

t.test('ProgressCounter quick read prints nothing', async (t) => {
  const { stream, text } = capture();
  const counter = new ProgressCounter(stream, true, 60_000);
  counter.update(500, 'Pod');
  counter.finish();
  t.equal(text(), '');
});

t.test('ProgressCounter slow read shows and erases the counter', async (t) => {
  const { stream, text } = capture();
  const counter = new ProgressCounter(stream, true, 0);
  counter.update(500, 'Pod');
  await delay(1);
  counter.update(1000, 'Deployment');
  counter.finish();
  t.equal(
    text(),
    '\r\u001b[2Kreading cluster: 500 objects (listing Pod)' + '\r\u001b[2Kreading cluster: 1000 objects (listing Deployment)' + '\r\u001b[2K',
  );
});
