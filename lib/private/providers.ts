import { IConstruct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { LocalProvider } from '@cdktf/provider-local/lib/provider';

/**
 * The tls provider version we need: 4.2.0 added `max_path_length`, which the
 * 11.0.1 binding (made for 4.1.0) does not know, so it is set by override.
 */
export const TLS_PROVIDER_VERSION_CONSTRAINT = '>= 4.2.0, < 5.0.0';

/** The local provider versions we support (2.5 and 2.6 write files the same way). */
export const LOCAL_PROVIDER_VERSION_CONSTRAINT = '>= 2.5.0, < 3.0.0';

/**
 * Makes sure the stack that holds `scope` configures the tls and local providers once,
 * reusing a provider the user declared, and pins the tls version to one with `max_path_length`.
 */
export function useProviders(scope: IConstruct): void {
  const stack = TerraformStack.of(scope);
  if (!stack.node.children.some((c) => c instanceof TlsProvider)) {
    new TlsProvider(stack, 'tls-provider');
  }
  if (!stack.node.children.some((c) => c instanceof LocalProvider)) {
    new LocalProvider(stack, 'local-provider');
  }
  stack.addOverride('terraform.required_providers.tls.version', TLS_PROVIDER_VERSION_CONSTRAINT);
  stack.addOverride('terraform.required_providers.local.version', LOCAL_PROVIDER_VERSION_CONSTRAINT);
}
