import { closest } from 'fastest-levenshtein';
import { ExitCode, LabError } from '../../../common/errors.ts';

/** `component` (its first port) or `component.portName` → port. */
export type FixedPorts = Map<string, number>;

function badPorts(message: string, hint?: string): LabError {
  return new LabError('E_BAD_PORTS', message, { exitCode: ExitCode.badInput, hint });
}

/**
 * LAB_PORTS pins ports instead of picking free ones, e.g. `LAB_PORTS=gateway=8080,postgres=5432`
 * or `fault-proxy.api=8474`. Names are checked against the stack's components.
 */
export function parseFixedPorts(
  value: string | undefined,
  components: ReadonlyMap<string, readonly string[]>,
): FixedPorts {
  const fixed: FixedPorts = new Map();
  if (!value?.trim()) return fixed;
  for (const entry of value.split(',')) {
    const [key = '', portText = ''] = entry.split('=').map((part) => part.trim());
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw badPorts(`LAB_PORTS: '${entry.trim()}' is not <component>[.<port>]=<1-65535>.`);
    const dot = key.indexOf('.');
    const component = dot === -1 ? key : key.slice(0, dot);
    const portNames = components.get(component);
    if (!portNames) {
      const names = [...components.keys()];
      throw badPorts(
        `LAB_PORTS: no component '${component}' in the stack.`,
        `The closest is '${closest(component, names)}'. Known: ${names.join(', ')}.`,
      );
    }
    const portName = dot === -1 ? portNames[0] : key.slice(dot + 1);
    if (portName === undefined || !portNames.includes(portName))
      throw badPorts(
        `LAB_PORTS: ${component} has no port '${portName ?? ''}'.`,
        `Its ports: ${portNames.join(', ') || 'none'}.`,
      );
    fixed.set(`${component}.${portName}`, port);
  }
  return fixed;
}
