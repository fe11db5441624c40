import t from 'tap';
import { allowed, badRequest, denied, errored, patched } from '../../src/admission/decision.js';
import { completeResponse, sanitizeAuditAnnotations, sanitizeWarnings, MAX_WARNING_LENGTH } from '../../src/admission/response.js';

const identity = { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', apiVersion: 'admission.k8s.io/v1' as const };
const PATCH = [{ op: 'add' as const, path: '/metadata/labels', value: { a: 'b' } }];

t.test('sanitizeWarnings limits and cleans', async (t) => {
  const long = 'x'.repeat(200);
  const cases: Array<{ name: string; input: string[]; expected: string[] }> = [
    { name: 'short warning unchanged', input: ['dns-egress: TCP 53 blocked'], expected: ['dns-egress: TCP 53 blocked'] },
    { name: 'control characters replaced', input: ['line one\nline two\u0007\u009b end'], expected: ['line one line two   end'] },
    { name: 'long warning cut to 120 characters', input: [long], expected: [`${'x'.repeat(MAX_WARNING_LENGTH - 3)}...`] },
    { name: 'empty and blank warnings dropped', input: ['', ' \n '], expected: [] },
    { name: 'duplicates dropped', input: ['same', 'same'], expected: ['same'] },
    {
      name: 'total capped at 4096 characters',
      input: Array.from({ length: 40 }, (_, index) => `${String(index).padStart(3, '0')}${'y'.repeat(200)}`),
      expected: Array.from({ length: 34 }, (_, index) => `${String(index).padStart(3, '0')}${'y'.repeat(114)}...`),
    },
  ];
  for (const testCase of cases) {
    t.strictSame(sanitizeWarnings(testCase.input), testCase.expected, testCase.name);
  }
});

t.test('sanitizeAuditAnnotations drops invalid keys', async (t) => {
  const result = sanitizeAuditAnnotations({
    mode: 'enforce',
    'exempted-rules': 'default-deny',
    'netpol-guard.io/decision': 'denied',
    '-leading-dash': 'x',
    [`k${'e'.repeat(63)}`]: 'too long',
    long: 'v'.repeat(2000),
  });
  t.strictSame(result, { mode: 'enforce', 'exempted-rules': 'default-deny', long: `${'v'.repeat(1021)}...` });
});

t.test('completeResponse per decision type', async (t) => {
  const cases = [
    {
      name: 'allowed',
      endpoint: 'validate' as const,
      decision: allowed(),
      expected: { statusCode: 200, body: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: identity.uid, allowed: true } } },
    },
    {
      name: 'allowed with warnings and annotations',
      endpoint: 'validate' as const,
      decision: allowed(['dns-egress: TCP blocked'], { mode: 'warn', 'bad/key': 'x' }),
      expected: {
        statusCode: 200,
        body: {
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid: identity.uid, allowed: true, warnings: ['dns-egress: TCP blocked'], auditAnnotations: { mode: 'warn' } },
        },
      },
    },
    {
      name: 'denied',
      endpoint: 'validate' as const,
      decision: denied('default-deny: no policy'),
      expected: {
        statusCode: 200,
        body: {
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid: identity.uid, allowed: false, status: { status: 'Failure', code: 403, reason: 'Forbidden', message: 'default-deny: no policy' } },
        },
      },
    },
    {
      name: 'bad request',
      endpoint: 'mutate' as const,
      decision: badRequest('request.object is missing'),
      expected: {
        statusCode: 200,
        body: {
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid: identity.uid, allowed: false, status: { status: 'Failure', code: 400, reason: 'BadRequest', message: 'request.object is missing' } },
        },
      },
    },
    {
      name: 'patched on mutate',
      endpoint: 'mutate' as const,
      decision: patched(PATCH),
      expected: {
        statusCode: 200,
        body: {
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid: identity.uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(PATCH)).toString('base64') },
        },
      },
    },
    {
      name: 'empty patch on mutate',
      endpoint: 'mutate' as const,
      decision: patched([]),
      expected: { statusCode: 200, body: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: identity.uid, allowed: true } } },
    },
    {
      name: 'patched on validate is an internal error',
      endpoint: 'validate' as const,
      decision: patched(PATCH),
      expected: { statusCode: 500, body: { code: 500, message: 'internal error: a validating review produced a patch' } },
    },
    {
      name: 'errored',
      endpoint: 'validate' as const,
      decision: errored('state is stale'),
      expected: { statusCode: 500, body: { code: 500, message: 'state is stale' } },
    },
  ];
  for (const testCase of cases) {
    t.strictSame(completeResponse(identity, testCase.endpoint, testCase.decision), testCase.expected, testCase.name);
  }
});
