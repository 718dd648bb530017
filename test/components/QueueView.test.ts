import { enableAutoUnmount, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrainingStatus } from '../../src/core/api/contract';
import { useTeamStore } from '../../src/renderer/src/stores/team';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import { useTrainingStore } from '../../src/renderer/src/stores/training';
import QueueView from '../../src/renderer/src/views/QueueView.vue';
import { installFakeApi, settle } from './fakeApi';
import { frameEntry, job, NOBODY, PROJECT, trainingDefaults } from './fixtures';

const fake = installFakeApi();
// One Pinia for the file: the training store subscribes to the bridge's events once per page.
const pinia = createPinia();
setActivePinia(pinia);
enableAutoUnmount(afterEach);

let status: TrainingStatus;
const QUEUE = [
  frameEntry(11, { rank: 1, status: 'done', score: 1.25, diversityScore: 0.75, uncertaintyScore: 0.004, uncertaintyWeight: 125 }),
  frameEntry(12, { rank: 2, status: 'in_progress', method: 'random', score: 0.8123, diversityScore: null, uncertaintyScore: null }),
  frameEntry(13, { rank: 3, status: 'todo', score: 0.5, diversityScore: 0.5, uncertaintyScore: 0.01 }),
  frameEntry(4, { source: 'keyframe', method: null, status: 'skipped' }),
];
let queue = QUEUE;

beforeEach(async () => {
  queue = QUEUE;
  sessionStorage.clear();
  useProjectStore().$reset();
  useTrainingStore().$reset();
  status = { job: null, last: null };
  fake.reset({
    trainingStatus: () => status,
    trainingRuns: () => [],
    trainingDefaults: () => trainingDefaults(),
    frameList: () => queue,
    frameGet: (p) => ({ frameId: p.frameId, imagePath: 'x.png', width: 128, height: 64, imageDataUrl: '', maskBase64: null, maskVersion: 0, status: 'todo', nextInClip: null, previousInClip: null, work: NOBODY }),
    reviewRuns: () => ({ runs: [], latestSeg: null, latestDepth: null }),
    reviewFrames: () => [],
    reviewEvaluation: () => null,
  });
  const project = useProjectStore();
  project.project = PROJECT;
  project.go('queue');
  await settle();
});

afterEach(() => useTrainingStore().stopPolling());

async function mountQueue() {
  const w = mount(QueueView, { global: { plugins: [pinia] } });
  await settle();
  return w;
}

const rowTexts = (w: Awaited<ReturnType<typeof mountQueue>>) =>
  w.findAll('[data-testid="queue-table"] tbody tr').map((r) => r.findAll('td').slice(0, 4).map((td) => td.text()));

describe('QueueView', () => {
  it('lists the frames in the order the selection proposed them, with why and their status', async () => {
    const w = await mountQueue();
    const rows = rowTexts(w);
    expect(rows.map((r) => [r[0], r[3]])).toEqual([
      ['1', 'done'],
      ['2', 'in progress'],
      ['3', 'to do'],
      ['4', 'skipped'],
    ]);
    expect(rows[0]![2]).toBe('ds_us: score 1.250 = diversity 0.750 + 125 × uncertainty 0.004');
    expect(rows[1]![2]).toBe('random: score 0.812, diversity –, uncertainty –');
    expect(rows[3]![2]).toBe('labelled frame of its clip (no selection round yet)');
    expect(rows[0]![1]).toBe('leftImg8bit/train/synth/synth_000011_000019_leftImg8bit.png128×64, train');
    expect(w.text()).toContain('4 of 4 frames');
  });

  it('filters by status', async () => {
    const w = await mountQueue();
    const filter = w.get('[data-testid="queue-filter"]');
    await filter.setValue('done');
    expect(rowTexts(w).map((r) => r[0])).toEqual(['1']);
    expect(w.text()).toContain('1 of 4 frames');
    await filter.setValue('todo');
    expect(w.findAll('tbody tr').map((r) => r.attributes('data-testid'))).toEqual(['queue-row-13']);
    // The row keeps its place in the selection's order.
    expect(rowTexts(w)[0]![0]).toBe('3');
    await filter.setValue('skipped');
    expect(w.findAll('tbody tr').map((r) => r.attributes('data-testid'))).toEqual(['queue-row-4']);
    await filter.setValue('');
    expect(w.findAll('tbody tr')).toHaveLength(4);
  });

  it('opens a frame in the annotator or the review', async () => {
    const w = await mountQueue();
    const project = useProjectStore();
    await w.get('[data-testid="queue-row-13"] [data-testid="open-frame"]').trigger('click');
    expect([project.view, project.frameId]).toEqual(['annotate', 13]);
    await w.get('[data-testid="queue-row-12"] [data-testid="queue-review"]').trigger('click');
    expect([project.view, project.frameId]).toEqual(['review', 12]);
  });

  it('suggests more frames with the chosen budget and method, shows the round, and reloads the queue when it ends', async () => {
    const round = job({ jobId: 'sel-1', kind: 'select', runId: null, settings: { method: 'random', budget: 6 }, state: 'running', step: 0, totalSteps: 0, message: 'computing features' });
    fake.handlers.selectionSuggest = () => {
      status = { job: round, last: null };
      return round;
    };
    const w = await mountQueue();
    await w.get('[data-testid="suggest-budget"]').setValue('6');
    await w.get('[data-testid="suggest-method"]').setValue('random');
    expect(w.get('[data-testid="suggest-more"]').text()).toBe('Suggest 6 more');
    await w.get('[data-testid="suggest-form"]').trigger('submit');
    await settle();
    expect(fake.paramsOf('selectionSuggest')).toEqual([{ projectId: 1, budget: 6, method: 'random' }]);
    expect(w.get('[data-testid="suggest-status"]').text()).toContain('Selection round (random): computing features');
    // One job at a time: no second round while this one runs.
    expect(w.get('[data-testid="suggest-more"]').attributes('disabled')).toBeDefined();

    const listed = fake.paramsOf('frameList').length;
    queue = [...queue, frameEntry(20, { rank: 4, score: 0.3, diversityScore: 0.3, uncertaintyScore: 0 })];
    const ended = { ...round, state: 'done' as const, endedAt: '2025-03-01T10:01:00Z', message: '6 frames suggested' };
    status = { job: null, last: ended };
    fake.emit('training.progress', ended);
    await settle();
    expect(fake.paramsOf('frameList').length).toBe(listed + 1);
    expect(w.findAll('tbody tr')).toHaveLength(5);
    expect(w.get('[data-testid="suggest-status"]').text()).toContain('6 frames suggested');
    expect(w.get('[data-testid="suggest-status"]').attributes('data-state')).toBe('done');
    expect(w.get('[data-testid="suggest-more"]').attributes('disabled')).toBeUndefined();
  });

  it('checks the "suggest N" budget before anything is sent, saying what is wrong', async () => {
    fake.handlers.selectionSuggest = () => job({ kind: 'select', runId: null, settings: { method: 'ds_us', budget: 3 } });
    const w = await mountQueue();
    for (const [typed, problem] of [
      ['0', 'Suggest at least 1 frame.'],
      ['20000', 'Suggest at most 10000 frames at a time.'],
      ['2.5', 'The number of frames must be a whole number.'],
      ['', 'Say how many frames to suggest.'],
    ] as const) {
      await w.get('[data-testid="suggest-budget"]').setValue(typed);
      expect(w.get('[data-testid="suggest-budget-problem"]').text()).toBe(problem);
      expect(w.get('[data-testid="suggest-more"]').attributes('disabled')).toBeDefined();
      await w.get('[data-testid="suggest-form"]').trigger('submit');
      await settle();
    }
    expect(fake.paramsOf('selectionSuggest')).toEqual([]);
    await w.get('[data-testid="suggest-budget"]').setValue('3');
    expect(w.find('[data-testid="suggest-budget-problem"]').exists()).toBe(false);
    await w.get('[data-testid="suggest-form"]').trigger('submit');
    await settle();
    expect(fake.paramsOf('selectionSuggest')).toEqual([{ projectId: 1, budget: 3, method: 'ds_us' }]);
  });

  it('shows why a round failed', async () => {
    status = { job: null, last: job({ kind: 'select', runId: null, state: 'failed', settings: { method: 'ds_us' }, error: 'no SDE run: train SDE first' }) };
    const w = await mountQueue();
    expect(w.get('[data-testid="suggest-status"] .error').text()).toBe('no SDE run: train SDE first');
  });

  it('shows who works on each frame; a done mask is approved, or sent back only with a comment', async () => {
    queue = [
      frameEntry(11, { status: 'done', work: { ...NOBODY, author: 'ann' } }),
      frameEntry(12, { status: 'in_progress', work: { author: 'bob', leaseHolder: 'bob', leaseUntil: '2026-12-03T12:15:00.000Z', review: null } }),
      frameEntry(13, { status: 'done', work: { ...NOBODY, author: 'cid', review: { state: 'approved', comment: null, by: 'rita', at: '2026-12-03T12:00:00.000Z' } } }),
    ];
    fake.handlers.maskReview = (p) => ({ frameId: p.frameId, version: 1, status: p.verdict === 'approve' ? 'done' : 'in_progress' });
    await useProjectStore().loadQueue();
    const w = await mountQueue();
    const who = (id: number) => w.get(`[data-testid="queue-row-${id}"] [data-testid="queue-who"]`);
    expect(who(11).text()).toContain('by ann');
    expect(who(12).text()).toMatch(/by bob\s*held by bob until/);
    expect(who(13).text()).toContain('approved by rita');
    // only the done, unapproved mask can be reviewed
    expect(w.findAll('[data-testid="queue-approve"]').length).toBe(1);
    await who(11).get('[data-testid="queue-send-back"]').trigger('click');
    const confirm = who(11).get('[data-testid="send-back-confirm"]');
    expect(confirm.attributes('disabled')).toBeDefined();
    await who(11).get('[data-testid="send-back-comment"]').setValue('  sky is not road ');
    await confirm.trigger('click');
    await settle();
    await who(11).get('[data-testid="queue-approve"]').trigger('click');
    await settle();
    expect(fake.paramsOf('maskReview')).toEqual([
      { projectId: 1, frameId: 11, verdict: 'send_back', comment: 'sky is not road' },
      { projectId: 1, frameId: 11, verdict: 'approve' },
    ]);
  });

  it("on a team server, Label is disabled (with who and until when) for a frame someone else holds; alone it never is", async () => {
    const later = new Date(Date.now() + 10 * 60_000).toISOString();
    const earlier = new Date(Date.now() - 60_000).toISOString();
    queue = [
      frameEntry(12, { status: 'in_progress', work: { ...NOBODY, leaseHolder: 'bob', leaseUntil: later } }),
      frameEntry(13, { status: 'in_progress', work: { ...NOBODY, leaseHolder: 'ana', leaseUntil: later } }),
      frameEntry(14, { status: 'in_progress', work: { ...NOBODY, leaseHolder: 'bob', leaseUntil: earlier } }),
    ];
    await useProjectStore().loadQueue();
    const label = (w: Awaited<ReturnType<typeof mountQueue>>, id: number) => w.get(`[data-testid="queue-row-${id}"] [data-testid="open-frame"]`);
    const alone = await mountQueue();
    expect([12, 13, 14].map((id) => label(alone, id).attributes('disabled'))).toEqual([undefined, undefined, undefined]);
    alone.unmount();

    const team = useTeamStore();
    team.mode = 'team';
    team.account = { user: 'ana', role: 'annotator', refusals: {}, project: { dir: '/p', name: 'p' } };
    try {
      const w = await mountQueue();
      expect(label(w, 12).attributes('disabled')).toBeDefined();
      expect(label(w, 12).attributes('title')).toMatch(/^bob is labelling this frame until .+; Label next frame gives you one nobody holds$/);
      expect(label(w, 13).attributes('disabled')).toBeUndefined();
      expect(label(w, 14).attributes('disabled')).toBeUndefined();
    } finally {
      team.$reset();
    }
  });
});
