/**
 * The team queue through the API service, as a team server calls it (dispatch with a caller):
 * leases per caller, review refused to an annotator, the sent-back comment shown to the
 * annotator, and the "train only approved masks" setting deciding what trains and exports.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/core/api/caller';
import { createService, dispatch } from '../../src/core/api/service';
import { validateCall, type ApiMethod, type ApiParams, type ApiResults } from '../../src/core/api/contract';
import { openProject } from '../../src/core/project/openProject';
import { segTrainingSamples } from '../../src/core/project/trainingData';
import { freshDirs, writeCityscapesFixture } from '../data/fixtures';

const dirs = freshDirs();
const ann: Caller = { user: 'ann', role: 'annotator' };
const bob: Caller = { user: 'bob', role: 'annotator' };
const rita: Caller = { user: 'rita', role: 'reviewer' };

describe('the team queue through the API', () => {
  const service = createService('host', { version: '1.0.0', recentFile: join(dirs('team-api-config'), 'recent.json'), author: 'local' });
  let pid = 0;
  let projectDir = '';
  /** A validated call as the team server makes it. */
  const call = async <M extends ApiMethod>(method: M, params: Omit<ApiParams<M>, 'projectId'>, caller?: Caller): Promise<ApiResults[M]> => {
    const v = validateCall(method, { projectId: pid, ...params });
    return (await dispatch(service, v.method, v.params, caller)) as ApiResults[M];
  };
  const paint = async (frameId: number, caller: Caller | undefined, cls: number, status?: 'done') => {
    const f = await call('frameGet', { frameId }, caller);
    const maskBase64 = Buffer.from(new Uint8Array(f.width * f.height).fill(cls)).toString('base64');
    return call('maskSave', { frameId, width: f.width, height: f.height, maskBase64, expectedVersion: f.maskVersion, ...(status ? { status } : {}) }, caller);
  };

  beforeAll(async () => {
    const data = dirs('team-api-data');
    await writeCityscapesFixture(data);
    projectDir = join(dirs('team-api-project'), 'proj');
    pid = (await service.projectCreate({ dir: projectDir, dataset: data, format: 'cityscapes' })).projectId;
  });

  it('leases each caller a different frame, shows the holder in the queue, refuses review to an annotator and shows the comment sent back', async () => {
    const queue = await call('frameList', {});
    expect(queue.length).toBeGreaterThanOrEqual(2);
    const a = await call('frameNext', {}, ann);
    const b = await call('frameNext', {}, bob);
    expect(a.frameId).not.toBeNull();
    expect(b.frameId).not.toBe(a.frameId);
    expect((await call('frameList', {})).find((e) => e.frameId === a.frameId)!.work).toMatchObject({ leaseHolder: 'ann', author: null });
    await expect(paint(a.frameId!, bob, 1)).rejects.toThrow(/is held by ann in the labelling queue until .* UTC; this save was refused/);
    expect(await paint(a.frameId!, ann, 1, 'done')).toMatchObject({ version: 1, status: 'done' });
    expect(await call('frameRelease', { frameId: b.frameId! }, bob)).toEqual({ released: true });

    expect(() => validateCall('maskReview', { projectId: pid, frameId: a.frameId, verdict: 'send_back', comment: ' ' })).toThrow(/comment: sending a mask back needs a comment/);
    // dispatch refuses by the role table (methodRoles.ts); the service refuses as well, called past it.
    await expect(call('maskReview', { frameId: a.frameId!, verdict: 'approve' }, ann)).rejects.toThrow('annotators cannot approve or send back masks: ask a reviewer or an engineer');
    const reviewAs = service.maskReview as (p: ApiParams<'maskReview'>, caller: Caller) => Promise<unknown>;
    await expect(reviewAs({ projectId: pid, frameId: a.frameId!, verdict: 'approve' }, ann)).rejects.toThrow(/ann is an annotator: only a reviewer or an engineer may approve/);
    expect(await call('maskReview', { frameId: a.frameId!, verdict: 'send_back', comment: 'sky is not road' }, rita)).toMatchObject({ status: 'in_progress' });
    const seen = await call('frameGet', { frameId: a.frameId! }, ann);
    expect(seen.work).toMatchObject({ author: 'ann', review: { state: 'sent_back', comment: 'sky is not road', by: 'rita' } });
    expect((await call('frameNext', {}, ann)).frameId).toBe(a.frameId);
    await paint(a.frameId!, ann, 2, 'done');
    await call('maskReview', { frameId: a.frameId!, verdict: 'approve' }, rita);
    expect((await call('maskHistory', { frameId: a.frameId! })).map((e) => `${e.actor} ${e.action}`)).toEqual([
      'ann leased',
      'ann saved',
      'ann done',
      'rita sent_back',
      'ann leased',
      'ann saved',
      'ann done',
      'rita approved',
    ]);
  });

  it('with "train only approved masks" on, training and export take the approved masks only, and the training view says how many', async () => {
    // the single local user (no caller) paints and finishes a second frame, unreviewed
    const other = (await call('frameList', {})).find((e) => e.status === 'todo')!;
    await paint(other.frameId, undefined, 3, 'done');
    expect(await call('projectSettingsGet', {})).toEqual({ trainApprovedOnly: false });
    expect((await call('trainingDefaults', {})).labelledFrames).toBe(2);
    expect(await call('projectSettingsSet', { trainApprovedOnly: true })).toEqual({ trainApprovedOnly: true });
    const d = await call('trainingDefaults', {});
    expect([d.labelledFrames, d.trainApprovedOnly]).toEqual([1, true]);
    const approved = (await call('frameList', {})).filter((e) => e.work.review?.state === 'approved').map((e) => e.frameId);
    const p = await openProject(projectDir);
    try {
      expect((await segTrainingSamples(p)).labelled.map((s) => s.frameId)).toEqual(approved);
    } finally {
      await p.close();
    }
    const exported = await call('labelsExport', { out: join(dirs('team-api-export'), 'out') });
    expect(exported.exported).toBe(1);
    await call('projectSettingsSet', { trainApprovedOnly: false });
    expect((await call('trainingDefaults', {})).labelledFrames).toBe(2);
  });
});
