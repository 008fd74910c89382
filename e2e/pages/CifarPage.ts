import { expect, type Locator, type Page } from '@playwright/test';
import type { UploadFile } from '../cifar-files';
import { LabPage } from './LabPage';

/** The lab seen from the CIFAR-10 side: importing data, pictures of your own, your own model. */
export class CifarPage extends LabPage {
  readonly setupPanel: Locator;
  readonly importInput: Locator;
  /** Every file input that takes a CIFAR-10 archive (the lab has one, in Setup). */
  readonly archiveInputs: Locator;
  readonly importError: Locator;
  readonly imported: Locator;
  readonly importedCount: Locator;
  readonly importedDelete: Locator;
  readonly importedNone: Locator;
  readonly imagesNotImported: Locator;
  readonly batchImportNeeded: Locator;
  readonly modelFiles: Locator;
  readonly modelFilesError: Locator;
  readonly pictureInput: Locator;
  readonly picturePreview: Locator;
  readonly pictureError: Locator;
  readonly picturePredicted: Locator;
  readonly pertHeatCanvas: Locator;
  readonly epsShown: Locator;
  readonly epsUnits: Locator;

  constructor(page: Page) {
    super(page);
    const id = (t: string) => page.getByTestId(t);
    this.setupPanel = page.getByRole('region', { name: 'Setup' });
    this.importInput = id('import-input');
    this.archiveInputs = page.locator('input[type="file"][accept*=".tar"]');
    this.importError = id('import-error');
    this.imported = id('imported-item');
    this.importedCount = id('imported-count');
    this.importedDelete = id('imported-delete');
    this.importedNone = id('imported-none');
    this.imagesNotImported = id('images-not-imported');
    this.batchImportNeeded = id('batch-import-needed');
    this.modelFiles = id('model-files-input');
    this.modelFilesError = id('model-files-error');
    this.pictureInput = id('picture-input');
    this.picturePreview = id('picture-preview');
    this.pictureError = id('picture-error');
    this.picturePredicted = id('picture-predicted');
    this.pertHeatCanvas = id('pert-heat-canvas');
    this.epsShown = id('attack-eps-shown');
    this.epsUnits = id('eps-units');
  }

  /** Hand files to the import control and wait until the import has finished (stored or refused). */
  async importFiles(files: UploadFile[]): Promise<void> {
    await this.importInput.setInputFiles(files);
    await expect(this.progress).toHaveCount(0);
    await this.settled();
  }

  /** Load a model of your own (model.json + weights) and wait until it is active. */
  async loadOwnModel(files: UploadFile[]): Promise<void> {
    await this.modelFiles.setInputFiles(files);
    await expect(this.modelSelect).toHaveValue('own-model');
    await this.settled();
  }

  async uploadPicture(file: UploadFile): Promise<void> {
    await this.pictureInput.setInputFiles(file);
    await expect(this.progress).toHaveCount(0);
    await this.settled();
  }
}
