/**
 * Prompt-format presets for base models that ship without a chat template. Each is a Jinja template with the same
 * contract as a Hugging Face `chat_template`: it receives `messages` (role/content), `add_generation_prompt`,
 * `bos_token`/`eos_token`. The two plain presets (alpaca, instruction-input-output) also read the pair fields
 * `instruction`, `input`, `output`, `system` when the label builder passes them (instruction pairs), so a pair's input
 * gets its own section; conversations fall back to the `messages` loop.
 * Every preset ends an assistant turn with a token the model can learn to emit to stop (`eos_token`, <|im_end|>, …).
 */
import type { StudioTokenizer } from '../text/tokenizer.ts';

export type TemplatePresetId = 'alpaca' | 'chatml' | 'llama3' | 'instruction-input-output' | 'mistral-inst';

export interface TemplatePreset {
  id: TemplatePresetId;
  name: string;
  template: string;
  /** Marker strings the template emits that should be single tokens of the model's vocabulary. */
  specialTokens: string[];
  description: string;
  /** True when the template lays an instruction pair out by its fields (instruction/input/output). */
  pairFields: boolean;
}

const ALPACA_PREAMBLE = 'Below is an instruction that describes a task. Write a response that appropriately completes the request.';
const ALPACA_PREAMBLE_INPUT =
  'Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.';

const alpaca = `{{- bos_token if bos_token is defined and bos_token else '' -}}
{%- if instruction is defined -%}
{{- system if system else ('${ALPACA_PREAMBLE_INPUT}' if input else '${ALPACA_PREAMBLE}') -}}
{{- '\\n\\n### Instruction:\\n' + instruction -}}
{%- if input -%}{{- '\\n\\n### Input:\\n' + input -}}{%- endif -%}
{{- '\\n\\n### Response:\\n' + output + eos_token -}}
{%- else -%}
{%- if messages[0]['role'] == 'system' -%}{{- messages[0]['content'] -}}{%- else -%}{{- '${ALPACA_PREAMBLE}' -}}{%- endif -%}
{%- for message in messages -%}
{%- if message['role'] == 'user' -%}{{- '\\n\\n### Instruction:\\n' + message['content'] -}}
{%- elif message['role'] == 'assistant' -%}{{- '\\n\\n### Response:\\n' + message['content'] + eos_token -}}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '\\n\\n### Response:\\n' -}}{%- endif -%}
{%- endif -%}`;

const instructionInputOutput = `{{- bos_token if bos_token is defined and bos_token else '' -}}
{%- if instruction is defined -%}
{%- if system -%}{{- system + '\\n\\n' -}}{%- endif -%}
{{- 'Instruction: ' + instruction + '\\n' -}}
{%- if input -%}{{- 'Input: ' + input + '\\n' -}}{%- endif -%}
{{- 'Output: ' + output + eos_token -}}
{%- else -%}
{%- for message in messages -%}
{%- if message['role'] == 'system' -%}{{- message['content'] + '\\n\\n' -}}
{%- elif message['role'] == 'user' -%}{{- 'Instruction: ' + message['content'] + '\\n' -}}
{%- elif message['role'] == 'assistant' -%}{{- 'Output: ' + message['content'] + eos_token + '\\n' -}}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- 'Output: ' -}}{%- endif -%}
{%- endif -%}`;

const chatml = `{%- for message in messages -%}
{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}`;

const llama3 = `{{- bos_token if bos_token is defined and bos_token else '' -}}
{%- for message in messages -%}
{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' -}}{%- endif -%}`;

const mistralInst = `{%- if messages[0]['role'] == 'system' -%}
{%- set system_message = messages[0]['content'] -%}{%- set loop_messages = messages[1:] -%}
{%- else -%}{%- set loop_messages = messages -%}{%- endif -%}
{{- bos_token if bos_token is defined and bos_token else '' -}}
{%- for message in loop_messages -%}
{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
{{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') -}}
{%- endif -%}
{%- if message['role'] == 'user' -%}
{%- if loop.first and system_message is defined -%}{{- '[INST] ' + system_message + '\\n\\n' + message['content'] + ' [/INST]' -}}
{%- else -%}{{- '[INST] ' + message['content'] + ' [/INST]' -}}{%- endif -%}
{%- else -%}{{- message['content'] + eos_token -}}{%- endif -%}
{%- endfor -%}`;

export const TEMPLATE_PRESETS: TemplatePreset[] = [
  {
    id: 'alpaca',
    name: 'Alpaca',
    template: alpaca,
    specialTokens: [],
    pairFields: true,
    description:
      'The Stanford Alpaca prompt: a preamble, then "### Instruction:", optional "### Input:" and "### Response:" sections; the response ends with EOS. Plain text, works with any base model.',
  },
  {
    id: 'instruction-input-output',
    name: 'Instruction / Input / Output',
    template: instructionInputOutput,
    specialTokens: [],
    pairFields: true,
    description: 'Minimal plain-text layout: "Instruction: …", "Input: …", "Output: …" lines; the output ends with EOS. No preamble.',
  },
  {
    id: 'chatml',
    name: 'ChatML',
    template: chatml,
    specialTokens: ['<|im_start|>', '<|im_end|>'],
    pairFields: false,
    description:
      'OpenAI ChatML as used by SmolLM2 and Qwen: <|im_start|>role … <|im_end|> per turn. Best when the vocabulary already has these two tokens.',
  },
  {
    id: 'llama3',
    name: 'Llama 3',
    template: llama3,
    specialTokens: ['<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'],
    pairFields: false,
    description: 'Meta Llama 3 headers: <|start_header_id|>role<|end_header_id|>, content trimmed, each turn closed by <|eot_id|>.',
  },
  {
    id: 'mistral-inst',
    name: 'Mistral [INST]',
    template: mistralInst,
    specialTokens: ['[INST]', '[/INST]'],
    pairFields: false,
    description:
      'Mistral/Llama 2 style: [INST] user [/INST] answer</s>; a system prompt is folded into the first user turn; roles must alternate user/assistant.',
  },
];

export function getPreset(id: string): TemplatePreset | undefined {
  return TEMPLATE_PRESETS.find((p) => p.id === id);
}

/** A preset id resolves to its template; anything else is taken to be a Jinja template already. */
export function resolveTemplate(nameOrTemplate: string): string {
  return getPreset(nameOrTemplate)?.template ?? nameOrTemplate;
}

/** Markers of a preset that this tokenizer would split into several pieces (worth knowing before training). */
export function splitMarkers(tokenizer: StudioTokenizer, preset: TemplatePreset): string[] {
  return preset.specialTokens.filter((t) => tokenizer.tokenId(t) === null);
}
