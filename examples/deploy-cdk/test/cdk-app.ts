import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

/** A `new X(scope, id, { ...props })` in the CDK app, with its props as source text by name. */
export interface Construction {
  /** The class as written, e.g. `lambda.Function`. */
  readonly className: string;
  /** The variable it is assigned to, if any. */
  readonly variable: string | undefined;
  /** Each property of the props object as source text (shorthand `architecture` as its name). */
  readonly props: Readonly<Record<string, string>>;
}

/** What the deployment test reads from a CDK app, without running it (aws-cdk-lib is not installed). */
export interface CdkApp {
  readonly constructions: readonly Construction[];
  /** Every `Code.fromAsset(...)` argument, resolved to an absolute path, by the source text of the call. */
  readonly assets: ReadonlyMap<string, string>;
  /** The value of a top-level `const`, as source text. */
  readonly constants: ReadonlyMap<string, string>;
}

/**
 * Parses a CDK app written in TypeScript. Asset paths are resolved from the two forms this
 * repository writes: `fileURLToPath(new URL('<relative>', import.meta.url))` (relative to the file)
 * and a string literal (relative to the folder `cdk` runs in, `projectRoot`); any other form throws.
 */
export async function readCdkApp(file: string, projectRoot: string): Promise<CdkApp> {
  const source = ts.createSourceFile(file, await readFile(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const constants = new Map<string, ts.Expression>();
  const constructions: Construction[] = [];
  const assets = new Map<string, string>();

  const pathOf = (expression: ts.Expression): string => {
    if (ts.isIdentifier(expression)) {
      const bound = constants.get(expression.text);
      if (bound === undefined) throw new Error(`No top-level const ${expression.text}`);
      return pathOf(bound);
    }
    if (ts.isStringLiteral(expression)) return resolve(projectRoot, expression.text);
    if (
      ts.isCallExpression(expression) &&
      expression.expression.getText(source) === 'fileURLToPath' &&
      expression.arguments[0] !== undefined &&
      ts.isNewExpression(expression.arguments[0]) &&
      expression.arguments[0].expression.getText(source) === 'URL'
    ) {
      const [relative, base] = expression.arguments[0].arguments ?? [];
      if (
        relative !== undefined &&
        ts.isStringLiteral(relative) &&
        base?.getText(source) === 'import.meta.url'
      ) {
        return resolve(dirname(file), relative.text);
      }
    }
    throw new Error(`Cannot resolve the asset path ${expression.getText(source)}`);
  };

  const visit = (node: ts.Node): void => {
    if (ts.isVariableStatement(node) && node.parent === source) {
      for (const declaration of node.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.initializer !== undefined) {
          constants.set(declaration.name.text, declaration.initializer);
        }
      }
    }
    if (ts.isNewExpression(node)) {
      const props = node.arguments?.[2];
      if (props !== undefined && ts.isObjectLiteralExpression(props)) {
        const parent = node.parent;
        constructions.push({
          className: node.expression.getText(source),
          variable:
            ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) ? parent.name.text : undefined,
          props: Object.fromEntries(
            props.properties.flatMap((property) => {
              if (ts.isPropertyAssignment(property)) {
                return [[property.name.getText(source), property.initializer.getText(source)]];
              }
              if (ts.isShorthandPropertyAssignment(property)) {
                return [[property.name.text, property.name.text]];
              }
              return [];
            }),
          ),
        });
      }
    }
    if (
      ts.isCallExpression(node) &&
      node.expression.getText(source).endsWith('Code.fromAsset') &&
      node.arguments[0] !== undefined
    ) {
      assets.set(node.getText(source), pathOf(node.arguments[0]));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return {
    constructions,
    assets,
    constants: new Map([...constants].map(([name, value]) => [name, value.getText(source)])),
  };
}
