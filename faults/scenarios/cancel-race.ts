import type { TaskRecord } from '../../lambda/tasks/task.js';
import { describe, type Tracked } from '../check.js';
import { probeMix, submitProbes, withHarness } from '../harness.js';
import { sized, type Scenario } from '../scenario.js';

/**
 * Cancels land at random moments around each task's completion (before the claim, mid-run, right
 * as the result is written, after it). Whatever the cancel answered is the truth: `changed` means
 * the task must end cancelled; otherwise it had already finished, and must stay as the answer said.
 */
export const cancelRace: Scenario = {
  name: 'cancel-race',
  fault: 'every task is cancelled at a random moment around its completion',
  size: sized(100, 10),
  async run({ scale, rng }) {
    return withHarness({}, async (h) => {
      const answers = new Map<string, Promise<{ changed: boolean; status: string } | Error>>();
      const specs = probeMix(rng, this.size(scale), 'cancel', { maxSeconds: 0.6, transientShare: 0 });
      const tracked = await submitProbes(h, specs, 10, (task, spec) => {
        const at = rng.between(0, spec.params.seconds * 1000 + 300);
        answers.set(
          task.taskId,
          new Promise((resolve) => setTimeout(resolve, at)).then(() =>
            h.stack.core.service.cancel(spec.owner, task.taskId).then(
              ({ changed, task: t }) => ({ changed, status: t.status }),
              (error: Error) => error,
            ),
          ),
        );
      });
      const settled = new Map<string, { changed: boolean; status: string } | Error>();
      for (const [taskId, answer] of answers) settled.set(taskId, await answer);
      const judged: Tracked[] = tracked.map((t) => ({
        ...t,
        judge: (record: TaskRecord) => judgeCancel(settled.get(t.taskId)!, record, t.judge),
      }));
      const cancelled = [...settled.values()].filter((a) => !(a instanceof Error) && a.changed).length;
      return await h.finish(this.name, judged, () => [
        `${cancelled} cancels took effect, ${settled.size - cancelled} found the task finished`,
      ]);
    });
  },
};

function judgeCancel(
  answer: { changed: boolean; status: string } | Error,
  record: TaskRecord,
  uncancelled: Tracked['judge'],
): string | undefined {
  if (answer instanceof Error) return `the cancel call failed: ${answer.message}`;
  if (answer.changed) return record.status === 'cancelled' ? undefined : `cancel answered "cancelled", yet it ended ${describe(record)}`;
  if (answer.status !== record.status) return `cancel answered "already ${answer.status}", yet it ended ${describe(record)}`;
  return uncancelled(record);
}
