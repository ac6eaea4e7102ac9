import { WithoutSavedPlanAdvice } from '../app/engine';

/** Feeds `chunks` through a fresh filter, as the engine's output arrives, and returns what is printed. */
function printed(chunks: string[]): string {
  const filter = new WithoutSavedPlanAdvice();
  return chunks.map((chunk) => filter.push(chunk)).join('') + filter.end();
}

const PLAN = 'tls_private_key.a: Refreshing state... [id=1]\n\nPlan: 1 to add, 0 to change, 0 to destroy.\n';
const ADVICE = '\n\n─────\n\nSaved the plan to: /tmp/chariot-tls-plan-x/plan\n\nTo perform exactly these actions, run the following command to apply:\n    tofu apply "/tmp/chariot-tls-plan-x/plan"\n';

describe('the plan as the deploy prints it', () => {
  test('drops the engine advice to apply the saved plan, and the blank lines before it', () => {
    expect(printed([PLAN + '\n\nSaved the plan to: /tmp/p/plan\n\nTo perform exactly these actions, run:\n    tofu apply "/tmp/p/plan"\n'])).toBe(PLAN);
  });

  test('keeps everything before the advice, the separator line included', () => {
    expect(printed([PLAN + ADVICE])).toBe(`${PLAN}\n\n─────\n`);
  });

  test('finds the advice when its line comes in pieces and in colour', () => {
    const output = `${PLAN}\n\x1b[1mSaved the \x1b[0mplan to: /tmp/p/plan\n    tofu apply "/tmp/p/plan"\n`;
    expect(printed([...output])).toBe(PLAN);
  });

  test('passes each finished line on as it comes', () => {
    const filter = new WithoutSavedPlanAdvice();
    expect(filter.push('tls_private_key.a: Refre')).toBe('');
    expect(filter.push('shing state...\ntls_private_key.b: ')).toBe('tls_private_key.a: Refreshing state...\n');
  });

  test('leaves a plan without the advice as it was, its last unfinished line and trailing blank lines too', () => {
    const noChanges = '\nNo changes. Your infrastructure matches the configuration.\n\n';
    expect(printed([noChanges.slice(0, 10), noChanges.slice(10)])).toBe(noChanges);
    expect(printed(['a\nb'])).toBe('a\nb');
  });
});
