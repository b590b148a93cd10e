// Kubernetes name rules (apimachinery validation), returned as a reason string or undefined.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

export function dnsLabelProblem(value: string): string | undefined {
  if (value.length > 63) return `"${value}" is longer than 63 characters`;
  if (!DNS_LABEL.test(value))
    return `"${value}" is not a DNS label (lower-case letters, digits and '-', starting and ending alphanumeric)`;
  return undefined;
}

export function dnsSubdomainProblem(value: string): string | undefined {
  if (value.length > 253) return `"${value}" is longer than 253 characters`;
  if (!DNS_SUBDOMAIN.test(value))
    return `"${value}" is not a DNS subdomain (lower-case letters, digits, '-' and '.', starting and ending alphanumeric)`;
  return undefined;
}

/** Names that are at least safe as a URL path segment (RBAC names may contain ':'). */
export function pathSegmentNameProblem(value: string): string | undefined {
  if (value === '') return 'name is empty';
  if (value.length > 253) return `"${value}" is longer than 253 characters`;
  if (value === '.' || value === '..') return `"${value}" is not a valid name`;
  if (/[/%]/.test(value)) return `"${value}" must not contain '/' or '%'`;
  return undefined;
}

export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    const problem = dnsSubdomainProblem(prefix);
    if (problem) return `key "${key}" has an invalid prefix: ${problem}`;
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME_PART.test(name))
    return `key "${key}" is not a qualified name (at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric, optional DNS prefix and '/')`;
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !QUALIFIED_NAME_PART.test(value))
    return `value "${value}" is not a label value (at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric)`;
  return undefined;
}
