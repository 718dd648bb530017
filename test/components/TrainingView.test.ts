import { enableAutoUnmount, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SDE_SETTINGS, SEG_SETTINGS_IN_APP, type RunHistory, type TrainingDefaults, type TrainingRunInfo, type TrainingStatus } from '../../src/core/api/contract';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import { useTrainingStore } from '../../src/renderer/src/stores/training';
import TrainingView from '../../src/renderer/src/views/TrainingView.vue';
import { installFakeApi, settle } from './fakeApi';
import { job, PROJECT, run, trainingDefaults } from './fixtures';

const fake = installFakeApi();
// One Pinia for the file: the training store subscribes to the bridge's events once per page.
const pinia = createPinia();
setActivePinia(pinia);
enableAutoUnmount(afterEach);

let status: TrainingStatus;
let runs: TrainingRunInfo[];
let defaults: TrainingDefaults;
const histories = new Map<number, RunHistory>();

beforeEach(() => {
  sessionStorage.clear();
  useProjectStore().$reset();
  useTrainingStore().$reset();
  useProjectStore().project = PROJECT;
  status = { job: null, last: null };
  runs = [];
  defaults = trainingDefaults();
  histories.clear();
  fake.reset({
    trainingStatus: () => status,
    trainingRuns: () => runs,
    trainingDefaults: () => defaults,
    trainingHistory: (p) => histories.get(p.runId) ?? { runId: p.runId, kind: 'seg', totalSteps: 100, series: [] },
    trainingCancel: () => ({ cancelled: true }),
  });
});

afterEach(() => useTrainingStore().stopPolling());

async function mountTraining() {
  const w = mount(TrainingView, { global: { plugins: [pinia] } });
  await settle();
  return w;
}

const text = (w: Awaited<ReturnType<typeof mountTraining>>, id: string): string => w.get(`[data-testid="${id}"]`).text();

describe('TrainingView', () => {
  it("shows a team project's job queued for a worker, then running on it; Cancel works while it waits", async () => {
    const waiting = job({ state: 'queued', runId: null, backend: null, message: 'waiting for a worker: start `depthseg worker --project /p` on a machine that can reach the database and sees this project folder' });
    status = { job: waiting, last: null };
    const w = await mountTraining();
    expect(text(w, 'job-state')).toBe('queued');
    expect(text(w, 'job-message')).toContain('waiting for a worker: start `depthseg worker --project /p`');
    expect(w.find('[data-testid="job-worker"]').exists()).toBe(false);
    expect(w.get('[data-testid="cancel-job"]').attributes('disabled')).toBeUndefined();

    const onWorker = job({ state: 'running', worker: 'gpu-box:412', step: 12, message: 'training on worker gpu-box:412' });
    status = { job: onWorker, last: null };
    fake.emit('training.progress', onWorker);
    await settle();
    expect(text(w, 'job-state')).toBe('running');
    expect(text(w, 'job-worker')).toBe('gpu-box:412');
    expect(text(w, 'job-message')).toBe('training on worker gpu-box:412');
  });

  it('follows a job from its progress events: step, ETA, loss, speed, and the running run\'s loss curve', async () => {
    histories.set(7, {
      runId: 7,
      kind: 'seg',
      totalSteps: 100,
      series: [{ name: 'loss', points: [{ step: 10, value: 2 }, { step: 20, value: 1.5 }, { step: 40, value: 0.8 }] }],
    });
    const w = await mountTraining();
    expect(w.find('[data-testid="job-progress"]').exists()).toBe(false);

    const running = job({ step: 40, totalSteps: 100, etaSeconds: 75, loss: 0.81234, stepsPerSecond: 0.5 });
    status = { job: running, last: null };
    fake.emit('training.progress', running);
    await settle();
    expect(text(w, 'job-title')).toBe('Retraining #7 (multitask, depthmix)');
    expect(text(w, 'job-state')).toBe('running');
    expect(text(w, 'job-step')).toBe('40 / 100');
    expect(text(w, 'job-eta')).toBe('1 min 15 s');
    expect(text(w, 'job-loss')).toBe('0.8123');
    expect(w.get('[data-testid="job-progress"]').text()).toContain('0.5 steps/s');
    expect(w.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('40');
    expect((w.get('[role="progressbar"] div').element as HTMLElement).style.width).toBe('40%');
    // The curves show the run being trained.
    expect(fake.paramsOf('trainingHistory')).toContainEqual({ projectId: 1, runId: 7, maxPoints: 400 });
    expect(w.get('[data-testid="loss-chart"]').attributes('data-points')).toBe('3');
    expect(w.get('[data-testid="loss-chart"] .legend').text()).toBe('loss 0.8');

    const later = { ...running, step: 61, etaSeconds: 4000, loss: 0.5 };
    status = { job: later, last: null };
    fake.emit('training.progress', later);
    await settle();
    expect(text(w, 'job-step')).toBe('61 / 100');
    expect(text(w, 'job-eta')).toBe('1 h 6 min');
    expect(text(w, 'job-loss')).toBe('0.5');
  });

  it('Cancel pauses the job; a paused run resumes from its checkpoint', async () => {
    const running = job({ step: 30, totalSteps: 100, etaSeconds: 140 });
    status = { job: running, last: null };
    runs = [run({ id: 7, status: 'running', step: 30, active: true })];
    const w = await mountTraining();
    expect(text(w, 'job-eta')).toBe('2 min 20 s');
    await w.get('[data-testid="cancel-job"]').trigger('click');
    await settle();
    expect(fake.paramsOf('trainingCancel')).toEqual([{ projectId: 1 }]);

    const paused = { ...running, state: 'paused' as const, step: 30, endedAt: '2025-03-01T10:05:00Z', message: 'paused at step 30' };
    status = { job: null, last: paused };
    runs = [run({ id: 7, status: 'paused', step: 30, checkpointStep: 30, resumable: true })];
    fake.emit('training.progress', paused);
    await settle();
    expect(text(w, 'job-state')).toBe('paused');
    expect(text(w, 'job-eta')).toBe('–');
    expect(w.find('[data-testid="cancel-job"]').exists()).toBe(false);
    expect(text(w, 'resume-job')).toBe('Resume from step 30');

    const resumed = job({ jobId: 'job-2', step: 30, resumedFrom: 30 });
    fake.handlers.trainingResume = () => resumed;
    await w.get('[data-testid="resume-job"]').trigger('click');
    await settle();
    expect(fake.paramsOf('trainingResume')).toEqual([{ projectId: 1, runId: 7 }]);
    expect(text(w, 'job-resumed')).toBe('Resumed from step 30.');
  });

  it('Retrain starts segmentation with the settings chosen in the advanced panel', async () => {
    fake.handlers.trainingStartSeg = () => job({ state: 'starting', runId: null, step: 0 });
    const w = await mountTraining();
    expect(w.get('.starts').text()).toContain('the 3 frames with a finished mask');
    expect(w.get('.starts').text()).toContain('starting from SDE run #2.');
    await w.get('[data-testid="seg-mode"]').setValue('transfer');
    await w.get('[data-testid="seg-mix"]').setValue('classmix');
    await w.get('[data-testid="seg-steps"]').setValue('250');
    await w.get('[data-testid="seg-lr"]').setValue('0.005');
    await w.get('[data-testid="retrain"]').trigger('click');
    await settle();
    const { sdeRunId: _newest, ...resolved } = defaults.seg;
    expect(fake.paramsOf('trainingStartSeg')).toEqual([
      // Every field of the form; the SDE run left at "newest" is the core's to pick.
      { projectId: 1, settings: { ...resolved, mode: 'transfer', mix: 'classmix', steps: 250, lr: 0.005 } },
    ]);
    expect(text(w, 'job-state')).toBe('starting');
    // One job at a time.
    expect(w.get('[data-testid="retrain"]').attributes('disabled')).toBeDefined();
    expect(w.get('[data-testid="train-sde"]').attributes('disabled')).toBeDefined();
  });

  it('Retrain waits for labelled frames, and for an SDE run unless training from scratch without DepthMix', async () => {
    defaults = trainingDefaults({ labelledFrames: 0 });
    let w = await mountTraining();
    expect(w.get('[data-testid="retrain"]').attributes('disabled')).toBeDefined();
    expect(w.text()).toContain('Mark some frames done in the annotator first.');
    w.unmount();

    useTrainingStore().$reset();
    defaults = trainingDefaults({ labelledFrames: 5, sdeRunId: null });
    w = await mountTraining();
    expect(w.get('.starts').text()).toContain('This needs self-supervised depth: run the SDE pretraining first');
    expect(w.get('[data-testid="retrain"]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid="seg-mode"]').setValue('scratch');
    await w.get('[data-testid="seg-mix"]').setValue('depthmix');
    expect(w.get('[data-testid="retrain"]').attributes('disabled')).toBeDefined(); // DepthMix still needs depth
    await w.get('[data-testid="seg-mix"]').setValue('none');
    expect(w.get('[data-testid="retrain"]').attributes('disabled')).toBeUndefined();
    // The plan above the button says what the chosen mode and mix do, in the declarations' words.
    expect(w.get('[data-testid="retrain-plan"]').text()).toBe(
      "Trains on the 5 frames with a finished mask. Mode scratch (random weights, no SDE); mix none (labelled frames only; the default, as mixing gave no gain on this project's CPU benchmark).",
    );
    fake.handlers.trainingStartSeg = () => job({ state: 'starting', runId: null });
    await w.get('[data-testid="retrain"]').trigger('click');
    await settle();
    const sent = fake.paramsOf('trainingStartSeg');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.settings).toMatchObject({ mode: 'scratch', mix: 'none' });
    expect(sent[0]!.settings).not.toHaveProperty('sdeRunId');
  });

  it('says why Retrain defaults to scratch, and why SDE pretraining cannot run on a project without video', async () => {
    const base = trainingDefaults({ labelledFrames: 4, sdeRunId: null, sdeUnavailable: 'the project has no video frames with neighbours in its train split' });
    defaults = { ...base, seg: { ...base.seg, mode: 'scratch' }, segNote: 'this project has no SDE model yet, so the default transfer became scratch' };
    const w = await mountTraining();
    expect(text(w, 'retrain-note')).toBe('This project has no SDE model yet, so the default transfer became scratch.');
    expect(w.get('[data-testid="retrain"]').attributes('disabled')).toBeUndefined();
    expect(text(w, 'sde-unavailable')).toBe('SDE pretraining cannot run here: the project has no video frames with neighbours in its train split.');
    expect(w.get('[data-testid="train-sde"]').attributes('disabled')).toBeDefined();
    // Choosing transfer there names the way out: scratch, or another project's SDE checkpoint.
    await w.get('[data-testid="seg-mode"]').setValue('transfer');
    expect(w.get('[data-testid="retrain-plan"]').text()).toContain('this project has no video clips to learn it from');
    expect(w.find('[data-testid="retrain-note"]').exists()).toBe(false);
    expect(w.get('[data-testid="retrain"]').attributes('disabled')).toBeDefined();
  });

  it('starts SDE pretraining with its settings: every start is a new run (no "restart" choice)', async () => {
    fake.handlers.trainingStartSde = () => job({ kind: 'sde', state: 'starting', runId: null, settings: {} });
    const w = await mountTraining();
    expect(w.text()).not.toContain('new run even where a paused one');
    await w.get('[data-testid="sde-steps"]').setValue('300');
    await w.get('[data-testid="sde-flip"]').setValue(false);
    await w.get('[data-testid="train-sde"]').trigger('click');
    await settle();
    expect(fake.paramsOf('trainingStartSde')).toEqual([{ projectId: 1, settings: { ...defaults.sde, steps: 300, flip: false } }]);
    expect(text(w, 'job-title')).toBe('SDE pretraining');
  });

  it('generates each advanced panel from the declarations: label, input kind, bounds, help and the declared default', async () => {
    const w = await mountTraining();
    const sdeFields = w.findAll('[data-testid="sde-advanced"] .field');
    expect(sdeFields).toHaveLength(SDE_SETTINGS.length);
    expect(w.findAll('[data-testid="seg-advanced"] .field')).toHaveLength(SEG_SETTINGS_IN_APP.length);
    expect(w.find('[data-testid="seg-sdeCheckpoint"]').exists()).toBe(false); // CLI only
    const steps = w.get('[data-testid="sde-steps"]');
    expect([steps.attributes('type'), steps.attributes('min'), steps.attributes('max'), steps.attributes('step')]).toEqual(['number', '1', '1000000', '1']);
    expect(w.get('[data-testid="sde-height"]').attributes('step')).toBe('16');
    expect(w.get('[data-testid="sde-lr"]').attributes('type')).toBe('text');
    expect((w.get('[data-testid="sde-lr"]').element as HTMLInputElement).value).toBe('5e-4');
    expect(w.get('[data-testid="sde-net"]').findAll('option').map((o) => o.text())).toEqual(['tiny', 'small', 'reference']);
    expect(w.get('[data-testid="sde-flip"]').attributes('type')).toBe('checkbox');
    const field = (prefix: string, key: string) => w.get(`[data-testid="${prefix}-${key}"]`).element.closest('.field')!.textContent!;
    expect(field('sde', 'steps')).toContain('Steps');
    expect(field('sde', 'steps')).toContain('optimiser steps (1 to 1000000); default: 2000');
    expect(field('sde', 'lr')).toContain('default: 2e-4');
    expect(field('seg', 'height')).toContain("default: the SDE run's");
    expect(field('seg', 'net')).toContain("default: the SDE run's");
    expect(w.get('[data-testid="seg-sdeRunId"]').findAll('option')[0]!.text()).toBe('newest (#2)');
  });

  it('checks each field as it is typed, names the problem next to it, and starts nothing while one is wrong', async () => {
    fake.handlers.trainingStartSeg = () => job({ state: 'starting', runId: null });
    const w = await mountTraining();
    expect(w.find('[data-testid="seg-invalid"]').exists()).toBe(false);
    await w.get('[data-testid="seg-steps"]').setValue('-5');
    await w.get('[data-testid="seg-lr"]').setValue('abc');
    await w.get('[data-testid="seg-height"]').setValue('7');
    expect(text(w, 'seg-steps-problem')).toBe('Steps must be at least 1');
    expect(text(w, 'seg-lr-problem')).toBe('Learning rate must be a number');
    expect(text(w, 'seg-height-problem')).toBe('Height must be at least 32');
    expect(w.get('[data-testid="seg-lr"]').attributes('aria-invalid')).toBe('true');
    expect(text(w, 'seg-invalid')).toBe('Fix Height, Steps and Learning rate in the advanced settings before retraining.');
    expect(w.get('[data-testid="retrain"]').attributes('disabled')).toBeDefined();
    await useTrainingStore().startSeg(); // even called directly, nothing is sent
    expect(fake.paramsOf('trainingStartSeg')).toEqual([]);

    await w.get('[data-testid="seg-height"]').setValue('40');
    expect(text(w, 'seg-height-problem')).toBe('Height must be a multiple of 16');
    await w.get('[data-testid="seg-height"]').setValue('48');
    await w.get('[data-testid="seg-steps"]').setValue('5');
    await w.get('[data-testid="seg-lr"]').setValue('1e-3');
    expect(w.find('[data-testid="seg-invalid"]').exists()).toBe(false);
    expect(w.find('[data-testid="seg-lr-problem"]').exists()).toBe(false);
    // The SDE panel has its own checks: a wrong value there leaves Retrain alone.
    await w.get('[data-testid="sde-batchSize"]').setValue('0');
    expect(text(w, 'sde-batchSize-problem')).toBe('Batch must be at least 1');
    expect(w.get('[data-testid="train-sde"]').attributes('disabled')).toBeDefined();
    expect(w.get('[data-testid="retrain"]').attributes('disabled')).toBeUndefined();
    await w.get('[data-testid="retrain"]').trigger('click');
    await settle();
    expect(fake.paramsOf('trainingStartSeg')[0]!.settings).toMatchObject({ height: 48, steps: 5, lr: 0.001 });
  });

  it('the runs table resumes a paused run with trainingResume', async () => {
    runs = [run({ id: 4, kind: 'sde', mode: null, status: 'paused', step: 12, checkpointStep: 12, resumable: true }), run({ id: 5 })];
    fake.handlers.trainingResume = (p) => job({ kind: 'sde', runId: p.runId, resumedFrom: 12, step: 12 });
    const w = await mountTraining();
    expect(w.find('[data-testid="resume-run-5"]').exists()).toBe(false);
    await w.get('[data-testid="resume-run-4"]').trigger('click');
    await settle();
    expect(fake.paramsOf('trainingResume')).toEqual([{ projectId: 1, runId: 4 }]);
    expect(text(w, 'job-resumed')).toBe('Resumed from step 12.');
  });

  it('lists the runs newest first with status, steps, settings, loss and metric, and why one failed', async () => {
    runs = [
      run({ id: 2, kind: 'sde', mode: null, config: { net: 'tiny', height: 64, width: 128, lr: 0.0005 }, metrics: { absRel: 0.45234 }, loss: 0.12345 }),
      run({ id: 5, metrics: { miou: 41.26 }, loss: 0.3 }),
      run({ id: 7, status: 'failed', step: 12, error: 'the loss diverged (NaN at step 12); try a lower learning rate' }),
    ];
    const w = await mountTraining();
    const rows = w.findAll('[data-testid="runs-table"] tbody tr');
    expect(rows.map((r) => r.attributes('data-testid'))).toEqual(['run-row-7', 'run-row-5', 'run-row-2']);
    const cells = (id: number) => w.get(`[data-testid="run-row-${id}"]`).findAll('td').slice(0, 6).map((td) => td.text());
    expect(cells(5)).toEqual(['Segmentation #5 (multitask, depthmix)', 'done', '100 / 100', 'tiny net, 64×128, lr 0.02', '0.3', 'mIoU 41.3']);
    expect(cells(2)).toEqual(['SDE pretraining #2', 'done', '100 / 100', 'tiny net, 64×128, lr 5.00e-4', '0.1235', 'abs rel 0.452']);
    expect(cells(7).slice(1, 3)).toEqual(['failed', '12 / 100']);
    expect(w.text()).toContain('Run #7: the loss diverged (NaN at step 12); try a lower learning rate');
  });

  it('flags a collapsed run in the run list with the class and its share', async () => {
    runs = [run({ id: 5, metrics: { miou: 2.1 }, collapsed: { className: 'road', share: 0.973 } }), run({ id: 6, metrics: { miou: 30 } })];
    const w = await mountTraining();
    expect(w.get('[data-testid="collapsed-5"]').text()).toBe('collapsed: 97% road');
    expect(w.get('[data-testid="collapsed-5"]').attributes('title')).toMatch(/predicts road for 97% of the validation pixels/);
    expect(w.find('[data-testid="collapsed-6"]').exists()).toBe(false);
  });
});
