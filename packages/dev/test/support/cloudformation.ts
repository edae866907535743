import { readFile } from 'node:fs/promises';
import { parse, type Tags } from 'yaml';

// CloudFormation's short forms (!Ref, !GetAtt, ...) as their long forms ({ Ref: ... }), so a
// template parses to the object CloudFormation sees.
const INTRINSICS = [
  'And',
  'Base64',
  'Cidr',
  'Condition',
  'Equals',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'Or',
  'Ref',
  'Select',
  'Split',
  'Sub',
] as const;

const TAGS: Tags = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  return [
    { tag: `!${name}`, resolve: (value: string) => ({ [key]: value }) },
    {
      tag: `!${name}`,
      collection: 'seq' as const,
      resolve: (value: { toJSON(): unknown }) => ({ [key]: value.toJSON() }),
    },
  ];
});

/** One resource of a template, as CloudFormation sees it. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

/** The parts of a CloudFormation / SAM template the deployment tests read. */
export interface Template {
  readonly Transform?: string;
  readonly Globals?: { Function?: Record<string, unknown> };
  readonly Parameters?: Record<string, { Default?: unknown; AllowedValues?: unknown[] }>;
  readonly Resources: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, { Value: unknown }>;
}

/** Parses a CloudFormation or SAM YAML template, short-form intrinsics included. */
export async function readTemplate(path: string): Promise<Template> {
  return parse(await readFile(path, 'utf8'), { customTags: TAGS }) as Template;
}

/** The resources of `type`, by logical id. */
export function resourcesOfType(template: Template, type: string): Array<[string, TemplateResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** A SAM function's properties with the template's `Globals.Function` under them, as SAM merges them. */
export function functionProperties(template: Template, logicalId: string): Record<string, unknown> {
  const resource = template.Resources[logicalId];
  if (resource === undefined) throw new Error(`No resource ${logicalId}`);
  return { ...template.Globals?.Function, ...resource.Properties };
}

/** The one resource of `type`; throws when there are none or several. */
export function onlyResourceOfType(template: Template, type: string): [string, TemplateResource] {
  const found = resourcesOfType(template, type);
  if (found.length !== 1 || found[0] === undefined)
    throw new Error(`Expected one ${type}, found ${found.length}`);
  return found[0];
}
