/** Requests to boxes waiting for their answer: only the asked box's answer counts, and nothing waits forever. */
import { describe, expect, it } from 'vitest';
import { PendingAnswers } from '../../../../src/api/plugins/app/pending-answers.ts';

describe('PendingAnswers', () => {
  it("takes the asked box's answer and ignores the same id from another box", async () => {
    const answers = new PendingAnswers<string>();
    let sent = '';
    const asked = answers.ask('box-a', 60_000, 'late', async (id) => {
      sent = id;
    });
    await Promise.resolve();
    answers.settle('box-b', sent, { ok: true, value: 'forged' });
    answers.settle('box-a', sent, { ok: true, value: 'picture' });
    answers.settle('box-a', sent, { ok: true, value: 'again' });
    await expect(asked).resolves.toBe('picture');
  });

  it('passes on the error the box reported', async () => {
    const answers = new PendingAnswers<string>();
    let sent = '';
    const asked = answers.ask('box-a', 60_000, 'late', async (id) => {
      sent = id;
    });
    await Promise.resolve();
    answers.settle('box-a', sent, { ok: false, error: new Error('no camera') });
    await expect(asked).rejects.toThrow('no camera');
  });

  it('answers 504 with the given words when the box is silent, 503 when the broker refuses or the hub closes', async () => {
    const answers = new PendingAnswers<string>();
    await expect(answers.ask('box-a', 1, 'check the box', async () => {})).rejects.toMatchObject({
      statusCode: 504,
      message: 'check the box',
    });
    await expect(
      answers.ask('box-a', 60_000, 'late', async () => {
        throw new Error('broker down');
      }),
    ).rejects.toMatchObject({ statusCode: 503, message: expect.stringContaining('broker down') });
    const waiting = answers.ask('box-a', 60_000, 'late', async () => {});
    await Promise.resolve();
    answers.close();
    await expect(waiting).rejects.toMatchObject({ statusCode: 503 });
  });
});
