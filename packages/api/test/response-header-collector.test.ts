import { describe, expect, it } from 'vitest';
import { ResponseHeaderCollector } from '../src/response-header-collector.js';

describe('ResponseHeaderCollector', () => {
  it('keeps each value as it is and lists nothing in repeated when no header repeats', () => {
    const collector = new ResponseHeaderCollector();

    collector.add('content-type', 'application/json');
    collector.add('x-list', 'a, b');

    expect({ ...collector.headers }).toEqual({ 'content-type': 'application/json', 'x-list': 'a, b' });
    expect(collector.repeated).toBeUndefined();
  });

  it('joins the values with ", " and lists each in repeated, in order, when a header repeats', () => {
    const collector = new ResponseHeaderCollector();

    collector.add('set-cookie', 'a=1');
    collector.add('x-one', 'only');
    collector.add('set-cookie', 'b=2, c=3');
    collector.add('set-cookie', 'd=4');

    expect({ ...collector.headers }).toEqual({ 'set-cookie': 'a=1, b=2, c=3, d=4', 'x-one': 'only' });
    expect({ ...collector.repeated }).toEqual({ 'set-cookie': ['a=1', 'b=2, c=3', 'd=4'] });
  });

  it('keeps a header named __proto__ as a header when the server sends one', () => {
    const collector = new ResponseHeaderCollector();

    collector.add('__proto__', 'x');
    collector.add('__proto__', 'y');

    expect(Object.entries(collector.headers)).toEqual([['__proto__', 'x, y']]);
    expect(Object.entries(collector.repeated ?? {})).toEqual([['__proto__', ['x', 'y']]]);
  });

  it('sees no inherited Object.prototype names: constructor, toString and hasOwnProperty are absent until sent', () => {
    const collector = new ResponseHeaderCollector();

    expect(collector.headers.constructor).toBeUndefined();
    expect(collector.headers.toString).toBeUndefined();
    collector.add('constructor', 'c');
    collector.add('tostring', 't');
    collector.add('hasownproperty', 'h');

    expect(collector.headers.constructor).toBe('c');
    expect(collector.repeated).toBeUndefined();
    expect(Object.entries(collector.headers)).toEqual([
      ['constructor', 'c'],
      ['tostring', 't'],
      ['hasownproperty', 'h'],
    ]);
  });
});
