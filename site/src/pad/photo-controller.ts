/**
 * "Use a photo": the DOM half. Reads the chosen file in the browser (createImageBitmap applies the EXIF
 * orientation), reduces it to PHOTO_MAX_SIDE, runs the same core extraction as the Worker for the model's
 * 28×28 view, sends the reduced JPEG to the API and hands the outcome to the pad as a `pad:photo` event, so
 * the pad shows it like a drawing. A file the browser cannot decode is sent as it is, so the API's own
 * error code is what people see.
 */
import { toMnistPixels } from '../../../core/preprocess.ts';
import { PHOTO_MAX_SIDE, PhotoError, reducedSize, requestPhotoPrediction } from './photo-upload.ts';
import type { Prediction } from './prediction-client.ts';

export const PHOTO_EVENT = 'pad:photo';

export type PhotoEventDetail =
  | { readonly kind: 'reading' }
  | { readonly kind: 'result'; readonly prediction: Prediction; readonly pixels: Float32Array | null }
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

/** The reduced photo as a JPEG, and its pixels for the local view; null when the browser cannot decode it. */
export async function reducePhoto(file: File): Promise<{ jpeg: Blob; image: ImageData } | null> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return null;
  }
  const size = reducedSize(bitmap.width, bitmap.height, PHOTO_MAX_SIDE);
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (context === null) throw new Error('2D canvas unavailable');
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, size.width, size.height);
  bitmap.close();
  const image = context.getImageData(0, 0, size.width, size.height);
  const jpeg = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.92));
  return jpeg === null ? null : { jpeg, image };
}

/** Wires the file input inside `root`; returns a function that removes its listeners. */
export function mountPhotoInput(root: Element): () => void {
  const input = root.querySelector<HTMLInputElement>('[data-photo-input]');
  if (input === null) throw new Error('photo markup is missing [data-photo-input]');
  const listeners = new AbortController();
  let latest = 0;
  const emit = (detail: PhotoEventDetail) =>
    root.dispatchEvent(new CustomEvent<PhotoEventDetail>(PHOTO_EVENT, { detail, bubbles: true }));

  const read = async (file: File) => {
    const ticket = ++latest;
    emit({ kind: 'reading' });
    try {
      const reduced = await reducePhoto(file);
      const pixels = reduced === null ? null : toMnistPixels(reduced.image);
      const prediction = await requestPhotoPrediction(reduced?.jpeg ?? file, file.name || 'photo', {
        signal: listeners.signal,
      });
      if (ticket === latest) emit({ kind: 'result', prediction, pixels });
    } catch (error) {
      if (listeners.signal.aborted || ticket !== latest) return;
      const failure =
        error instanceof PhotoError ? error : new PhotoError('client_error', 'That photo could not be read.');
      emit({ kind: 'error', code: failure.code, message: failure.message });
    }
  };

  input.addEventListener(
    'change',
    () => {
      const file = input.files?.[0];
      if (file !== undefined) void read(file);
      // Choosing the same file again must read it again.
      input.value = '';
    },
    { signal: listeners.signal },
  );
  return () => listeners.abort();
}
