import { describe, expect, it } from 'vitest';
import { BundleFormatError, decodeModelBundle, encodeModelBundle } from '../../core/model-bundle.ts';

const files = new Map([
  ['manifest.json', new TextEncoder().encode('{"version":"x"}')],
  ['model.json', new Uint8Array(0)],
  ['group1-shard1of1.bin', Uint8Array.from({ length: 300 }, (_, i) => i % 251)],
]);

describe('the current bundle format', () => {
  it('gives back every file, in order, byte for byte', () => {
    const decoded = decodeModelBundle(encodeModelBundle(files));
    expect([...decoded.keys()]).toEqual([...files.keys()]);
    for (const [path, bytes] of files) expect(decoded.get(path)).toEqual(bytes);
  });

  it('reads a bundle that sits inside a larger buffer', () => {
    const encoded = encodeModelBundle(files);
    const padded = new Uint8Array(encoded.byteLength + 10);
    padded.set(encoded, 5);
    expect(decodeModelBundle(padded.subarray(5, 5 + encoded.byteLength))).toEqual(decodeModelBundle(encoded));
  });

  it('refuses anything else, cut short or padded, with BundleFormatError', () => {
    const encoded = encodeModelBundle(files);
    const header = (text: string) => {
      const body = new TextEncoder().encode(text);
      const out = new Uint8Array(8 + body.byteLength);
      out.set([0x44, 0x45, 0x42, 0x31]);
      new DataView(out.buffer).setUint32(4, body.byteLength, true);
      out.set(body, 8);
      return out;
    };
    for (const [bytes, problem] of [
      [new TextEncoder().encode('{"version":"x"}'), 'no DEB1 preamble'],
      [encoded.subarray(0, 12), 'cut short in its header'],
      [encoded.subarray(0, encoded.byteLength - 1), 'its header describes'],
      [Uint8Array.of(...encoded, 0), 'its header describes'],
      [header('{"a":1}'), 'not a list of [path, bytes]'],
      [header('[["a",-1]]'), 'not a list of [path, bytes]'],
      [header('[["a",0],["a",0]]'), 'lists a twice'],
      [header('[['), 'not JSON'],
    ] as const) {
      expect(() => decodeModelBundle(bytes)).toThrow(BundleFormatError);
      expect(() => decodeModelBundle(bytes)).toThrow(problem);
    }
  });
});
