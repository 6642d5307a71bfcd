// The wizard's suggested binding: which numeric columns are identifiers (categories).
import { describe, expect, it } from 'vitest';
import { isIdentifierName } from '../../src-main/host/data';

describe('identifier columns', () => {
  it('recognises ids, keys and codes by name', () => {
    for (const name of ['id', 'ID', 'user_id', 'item-id', 'Store ID', 'userId', 'itemID'])
      expect(isIdentifierName(name), name).toBe(true);
    for (const name of ['zip_code', 'sku', 'order.key', 'session_uuid', 'productCode'])
      expect(isIdentifierName(name), name).toBe(true);
  });

  it('leaves quantities and words that merely end in the letters alone', () => {
    for (const name of ['price', 'paid', 'valid', 'humid', 'barcode_count', 'monkey', 'episode'])
      expect(isIdentifierName(name), name).toBe(false);
  });
});
