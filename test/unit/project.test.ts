import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nextSteps } from '../../cli/commands/init.js';
import { installSpecFor, projectCdkApp } from '../../cli/lib/kit.js';
import { findConfig, projectPaths } from '../../cli/lib/project.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'shinykit-project-'));

describe('config discovery (walking up like git)', () => {
  it('finds shinykit.yaml in the working directory or the nearest folder above, and keeps the outputs beside it', () => {
    const root = tmp();
    writeFileSync(join(root, 'shinykit.yaml'), 'name: x\n');
    const sub = join(root, 'apps', 'shiny-demo');
    const deep = join(sub, 'R', 'www');
    mkdirSync(deep, { recursive: true });
    expect(findConfig(deep)).toBe(join(root, 'shinykit.yaml'));
    expect(projectPaths({}, sub)).toEqual({ config: '../../shinykit.yaml', outputs: '../../cdk-outputs.json', missing: false });
    // Further down, messages name the file absolutely rather than by a chain of ../
    expect(projectPaths({}, deep)).toEqual({ config: join(root, 'shinykit.yaml'), outputs: join(root, 'cdk-outputs.json'), missing: false });
    expect(projectPaths({}, root)).toEqual({ config: 'shinykit.yaml', outputs: 'cdk-outputs.json', missing: false });
  });

  it('the nearest one wins over one further up', () => {
    const root = tmp();
    writeFileSync(join(root, 'shinykit.yaml'), 'name: outer\n');
    mkdirSync(join(root, 'inner', 'sub'), { recursive: true });
    writeFileSync(join(root, 'inner', 'shinykit.yaml'), 'name: inner\n');
    expect(findConfig(join(root, 'inner', 'sub'))).toBe(join(root, 'inner', 'shinykit.yaml'));
  });

  it('--config and --outputs override; --config alone puts the outputs beside that config', () => {
    const root = tmp();
    writeFileSync(join(root, 'shinykit.yaml'), 'name: x\n');
    expect(projectPaths({ config: 'other/shinykit.yaml' }, root)).toEqual({ config: 'other/shinykit.yaml', outputs: 'other/cdk-outputs.json', missing: false });
    expect(projectPaths({ outputs: 'out.json' }, root).outputs).toBe('out.json');
  });

  it('says when there is none at all (commands then fail with a hint to run init)', () => {
    const dir = tmp();
    // Nothing above a fresh temp dir has a shinykit.yaml on these machines.
    expect(projectPaths({}, dir)).toEqual({ config: 'shinykit.yaml', outputs: 'cdk-outputs.json', missing: true });
  });
});

describe("the user's project and the installed package", () => {
  it("cdk.json's app runs the package installed in the project (or in a workspace root above it) with node", () => {
    const owner = tmp();
    const kit = join(owner, 'node_modules', 'shinykit');
    expect(projectCdkApp(owner, kit)).toBe('node node_modules/shinykit/dist/bin/shinykit.js');
    expect(projectCdkApp(join(owner, 'packages', 'site'), kit)).toBe('node ../../node_modules/shinykit/dist/bin/shinykit.js');
    // A project elsewhere will install its own copy: the standard path.
    expect(projectCdkApp(tmp(), kit)).toBe('node node_modules/shinykit/dist/bin/shinykit.js');
  });

  it('a project that cannot reach the package is told how to install the same one: the tarball relative to it, or the same spec', () => {
    const base = tmp();
    const owner = join(base, 'first');
    const kit = join(owner, 'node_modules', 'shinykit');
    mkdirSync(kit, { recursive: true });
    writeFileSync(join(kit, 'package.json'), '{"name":"shinykit"}');
    writeFileSync(join(owner, 'package.json'), JSON.stringify({ devDependencies: { shinykit: 'file:../shinykit-0.1.0.tgz' } }));
    const second = join(base, 'second');
    mkdirSync(second);
    expect(installSpecFor(second, kit)).toBe('../shinykit-0.1.0.tgz');
    expect(installSpecFor(join(owner, 'sub'), kit)).toBeUndefined(); // inside the first project: already reachable
    writeFileSync(join(owner, 'package.json'), JSON.stringify({ devDependencies: { shinykit: 'github:example/shinykit#v0.1.0' } }));
    expect(installSpecFor(second, kit)).toBe('github:example/shinykit#v0.1.0');
  });

  it('init prints next steps from where the user is: cd first and install when needed, nothing else by hand', () => {
    expect(nextSteps('.', undefined)).not.toMatch(/cd |npm install|--config|--outputs/);
    const other = nextSteps('../my apps', '../shinykit-0.1.0.tgz');
    const lines = other.split('\n').map((l) => l.trim());
    expect(lines.indexOf("cd '../my apps'")).toBeGreaterThan(-1);
    expect(lines.findIndex((l) => l.startsWith('npm install --save-dev ../shinykit-0.1.0.tgz'))).toBe(lines.indexOf("cd '../my apps'") + 1);
    expect(other).not.toMatch(/--config|--outputs/);
    expect(other).toContain('npx shinykit deploy');
  });
});
