/**
 * The artifact store of one worker: a checkpoint is written only while the trial is still this worker's
 * in the stored search. A worker whose trial was handed out again (it went silent past the grace period,
 * then came back) would otherwise write its late checkpoint over the newer attempt's.
 */
import type { ArtifactStore, SearchStorage, StoredModel } from './search-storage.js';

export class FencedArtifacts implements ArtifactStore {
  constructor(private readonly storage: SearchStorage, private readonly workerId: string) {}

  private get inner(): ArtifactStore {
    return this.storage.artifacts;
  }

  /** Whether the stored search still records `trialId` as this worker's running trial. */
  private async holds(trialId: string): Promise<boolean> {
    const search = await this.storage.loadSearch();
    return !search || search.state.ongoing[this.workerId] === trialId;
  }

  async saveCheckpoint(trialId: string, model: StoredModel): Promise<void> {
    // refused silently: the search loop says so when the attempt's result arrives
    if (await this.holds(trialId)) await this.inner.saveCheckpoint(trialId, model);
  }
  loadCheckpoint(trialId: string): Promise<StoredModel | undefined> {
    return this.inner.loadCheckpoint(trialId);
  }
  async deleteCheckpoint(trialId: string): Promise<void> {
    if (await this.holds(trialId)) await this.inner.deleteCheckpoint(trialId);
  }
  saveBestModel(model: StoredModel): Promise<void> {
    return this.inner.saveBestModel(model);
  }
  loadBestModel(): Promise<StoredModel | undefined> {
    return this.inner.loadBestModel();
  }
  saveFile(name: string, data: Uint8Array): Promise<void> {
    return this.inner.saveFile(name, data);
  }
  createFile(name: string, data: Uint8Array): Promise<boolean> {
    return this.inner.createFile(name, data);
  }
  loadFile(name: string): Promise<Uint8Array | undefined> {
    return this.inner.loadFile(name);
  }
}
