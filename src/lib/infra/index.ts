// The infrastructure layer's public surface: render a shoot's Terraform,
// review it, run it with the state in the seed, read its outputs.
export type {
  AwsProviderConfig,
  AzureProviderConfig,
  GcpProviderConfig,
  InfraOutputs,
  InfraProviderName,
  InfraSpec,
  OpenStackProviderConfig,
  ProviderConfig,
  ScalingGroupOutput,
  Taint,
  TaintEffect,
  WorkerPoolSpec,
  WorkerVolume,
} from './types.ts';
export { INFRA_PROVIDERS } from './types.ts';
export { STATE_SECRET_SUFFIX, stateLeaseName, stateSecretName, validateInfraSpec, volumeSizeGb } from './spec.ts';
export { defaultTemplatesRoot, exportTerraform, renderTerraform, tfvarsJson, TFVARS_FILE } from './render.ts';
export type { ExportResult, RenderedTerraform, RenderOptions } from './render.ts';
export {
  applyInfra,
  defaultCacheRoot,
  destroyInfra,
  forceUnlock,
  planInfra,
  pluginCacheDir,
  readInfraOutputs,
  terraformWorkDir,
  validateTerraform,
} from './terraform.ts';
export type { ApplyResult, DestroyResult, PlanResult, TerraformOptions, TerraformToolOptions, ValidateResult } from './terraform.ts';
export type { ChangeSummary, LockInfo } from './diagnostics.ts';
export { resolveTerraformBinary, TERRAFORM_ENV } from './binary.ts';
export type { TerraformBinary } from './binary.ts';
export { listMirrorProviders, PLUGIN_DIR_ENV } from './plugins.ts';
export { infraProvider } from './providers/index.ts';
