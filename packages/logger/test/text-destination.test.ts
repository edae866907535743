import { describe, expect, it } from 'vitest';
import { TextDestination } from '../src/text-destination.js';
import { CollectingDestination } from './helpers.js';

describe('TextDestination', () => {
  it('writes the Text layout with a JSON message when the message is not a string', () => {
    const target = new CollectingDestination();

    new TextDestination(target).write(
      '{"level":"INFO","timestamp":"2026-01-05T10:00:00.000Z","requestId":"r","message":{"a":1}}\n',
    );

    expect(target.chunks).toEqual(['2026-01-05T10:00:00.000Z\tr\tINFO\t{"a":1}\n']);
  });

  it('item 52: passes the chunk through as one record when it is not JSON', () => {
    const target = new CollectingDestination();

    new TextDestination(target).write('not json\nsecond line\n');

    expect(target.chunks).toEqual(['not json\rsecond line\n']);
  });
});
