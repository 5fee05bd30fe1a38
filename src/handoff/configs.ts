/**
 * The launch configs beside train.py — accelerate (DDP, FSDP, DeepSpeed ZeRO-2/3) — and an Axolotl config with the
 * run's settings on the same pre-tokenized rows. All generated from recipe.json's values.
 */
import type { ModelConfig } from '../engine/model/config';
import { toYaml, type YamlValue } from './yaml';
import type { Recipe } from './recipe';

/** The decoder block class FSDP wraps (transformers' class name for the family). */
export function decoderLayerClass(c: ModelConfig): string {
  if (c.modelType === 'gpt2') return 'GPT2Block';
  return c.architecture.replace(/ForCausalLM$/, 'DecoderLayer');
}

const base = (type: string, extra: Record<string, YamlValue> = {}): Record<string, YamlValue> => ({
  compute_environment: 'LOCAL_MACHINE', distributed_type: type, ...extra, machine_rank: 0, main_training_function: 'main', mixed_precision: 'no',
  num_machines: 1, num_processes: 8, rdzv_backend: 'static', same_network: true, use_cpu: false,
});

const HOW = 'Set num_processes to the number of GPUs (and num_machines / machine_rank / main_process_ip for several nodes).';

export function accelerateConfigs(c: ModelConfig, r: Recipe): { name: string; text: string }[] {
  const ds = (stage: 2 | 3) => base('DEEPSPEED', {
    deepspeed_config: { zero_stage: stage, gradient_clipping: r.optimizer.max_grad_norm || 1e9, offload_optimizer_device: 'none', offload_param_device: 'none', zero3_init_flag: stage === 3, ...(stage === 3 ? { zero3_save_16bit_model: true } : {}) },
  });
  return [
    { name: 'accelerate/ddp.yaml', text: toYaml(base('MULTI_GPU', { gpu_ids: 'all' }), `DDP: accelerate launch --config_file accelerate/ddp.yaml train.py\n${HOW}`) },
    {
      name: 'accelerate/fsdp.yaml',
      text: toYaml(base('FSDP', {
        fsdp_config: {
          fsdp_auto_wrap_policy: 'TRANSFORMER_BASED_WRAP', fsdp_transformer_layer_cls_to_wrap: decoderLayerClass(c), fsdp_sharding_strategy: 'FULL_SHARD',
          fsdp_backward_prefetch: 'BACKWARD_PRE', fsdp_state_dict_type: 'FULL_STATE_DICT', fsdp_use_orig_params: true, fsdp_cpu_ram_efficient_loading: true,
          fsdp_sync_module_states: true, fsdp_offload_params: false,
        },
      }), `FSDP (full shard, one ${decoderLayerClass(c)} per unit): accelerate launch --config_file accelerate/fsdp.yaml train.py\n${HOW}`),
    },
    { name: 'accelerate/deepspeed_zero2.yaml', text: toYaml(ds(2), `DeepSpeed ZeRO-2 (gradient clipping done by DeepSpeed): accelerate launch --config_file accelerate/deepspeed_zero2.yaml train.py\n${HOW}`) },
    { name: 'accelerate/deepspeed_zero3.yaml', text: toYaml(ds(3), `DeepSpeed ZeRO-3: accelerate launch --config_file accelerate/deepspeed_zero3.yaml train.py\n${HOW}`) },
  ];
}

export function axolotlConfig(r: Recipe): string {
  const t = r.training, o = r.optimizer, l = r.lora;
  const ds = (path: string) => ({ path, ds_type: 'json', type: null });
  const cfg: Record<string, YamlValue> = {
    base_model: r.base_model.load_from,
    datasets: [ds(r.data.train_tokenized)],
    ...(r.data.validation_tokenized ? { test_datasets: [{ ...ds(r.data.validation_tokenized), split: 'train' }] } : { val_set_size: 0 }),
    dataset_prepared_path: 'axolotl-prepared',
    output_dir: 'output-axolotl',
    sequence_len: t.max_length,
    sample_packing: false,
    pad_to_sequence_len: false,
    ...(l ? {
      adapter: 'lora', lora_r: l.r, lora_alpha: l.lora_alpha, lora_dropout: l.lora_dropout, peft_use_rslora: l.use_rslora,
      ...(l.target_modules === 'all-linear' ? { lora_target_linear: true } : { lora_target_modules: Array.isArray(l.target_modules) ? l.target_modules : [l.target_modules] }),
      lora_model_dir: 'init_adapter',
    } : {}),
    micro_batch_size: t.batch_size,
    gradient_accumulation_steps: t.grad_accum,
    num_epochs: t.epochs,
    max_steps: t.total_steps,
    optimizer: 'adamw_torch',
    adam_beta1: o.beta1, adam_beta2: o.beta2, adam_epsilon: o.eps,
    learning_rate: t.lr,
    lr_scheduler: t.schedule === 'constant' ? 'constant_with_warmup' : t.schedule,
    warmup_steps: t.warmup_steps,
    weight_decay: o.weight_decay,
    max_grad_norm: o.max_grad_norm,
    seed: t.seed,
    ...(t.eval_every ? { eval_steps: t.eval_every } : {}),
    logging_steps: 1,
    save_strategy: 'no',
  };
  return toYaml(cfg, `Axolotl: axolotl train axolotl.yaml (same rows, masks, LoRA init and hyperparameters as the studio run;\nAxolotl shuffles with its own sampler, so the batches differ from train.py's)`);
}
