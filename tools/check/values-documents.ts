import { ReportPart } from './findings';
import { checkImagePins } from './image-pins';
import { formatPath, isPlainObject, isTerraformExpression, PathSegment } from './object-path';
import { checkValuesKeys, checkValuesPath, splitSetName, ValuesLocation } from './values-keys';
import { ValuesModel } from './values-model';
import { parseYamlDocument } from './yaml-files';

/** Values keys and image pins of one values document. */
export function checkValuesDocument(values: unknown, model: ValuesModel, location: ValuesLocation, baseValues: unknown[]): ReportPart {
  const pins = checkImagePins(values, location, baseValues);
  return {
    findings: [...checkValuesKeys(values, model, location), ...pins.findings],
    stats: { valuesDocumentsChecked: 1, pinsChecked: pins.pins },
  };
}

/**
 * Values given as a YAML string (`helm.values`, a helm_release `values` entry). A Terraform
 * expression (`${yamlencode(...)}`) is only known at apply time: NOT CHECKED, not a pass.
 */
export function checkValuesString(text: unknown, model: ValuesModel, location: ValuesLocation): ReportPart {
  if (typeof text !== 'string') return {};
  const where = formatPath(location.prefix);
  const parsed = parseYamlDocument(text);
  if (parsed.ok && (isPlainObject(parsed.value) || parsed.value === null)) return checkValuesDocument(parsed.value ?? {}, model, location, []);
  if (isTerraformExpression(text)) {
    return { notChecked: [{ subject: `values at ${location.file}:${where}`, reason: 'a Terraform expression, known only at apply time; write the values as a literal YAML string' }] };
  }
  return { findings: [{ file: location.file, path: where, message: parsed.ok ? 'values must be a YAML mapping' : `invalid YAML: ${parsed.error}` }] };
}

/** `--set` style names (`helm.parameters[].name`, helm_release `set[].name`) against a model. */
export function checkSetNames(names: { name: string; path: PathSegment[] }[], model: ValuesModel, file: string): ReportPart {
  const findings = names.flatMap(({ name, path: at }) => {
    const message = checkValuesPath(splitSetName(name), model);
    return message ? [{ file, path: formatPath(at), message }] : [];
  });
  return { findings };
}
