import { describe, expect, it } from 'vitest';
import { inventoryName } from './inventory-store.js';

describe('inventoryName', () => {
  it('names the ConfigMap after the binding', () => {
    expect(inventoryName('b-1')).toBe('flotilla-inventory-b-1');
  });

  it('falls back to a digest for ids that are not valid object names', () => {
    const name = inventoryName('Binding_One');
    expect(name).toMatch(/^flotilla-inventory-[0-9a-f]{40}$/);
    expect(inventoryName('Binding_One')).toBe(name);
    expect(inventoryName('Binding_Two')).not.toBe(name);
  });
});
