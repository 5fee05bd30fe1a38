/** The Python that loads an exported adapter with PEFT (and merges it, for deployment without PEFT). */
export function peftSnippet(baseModel: string, folder: string): string {
  const base = JSON.stringify(baseModel);
  const dir = JSON.stringify(folder);
  return `from transformers import AutoModelForCausalLM, AutoTokenizer
from peft import PeftModel

base = AutoModelForCausalLM.from_pretrained(${base})
tokenizer = AutoTokenizer.from_pretrained(${base})
model = PeftModel.from_pretrained(base, ${dir})  # the unzipped folder

messages = [{"role": "user", "content": "Hello!"}]
inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")
print(tokenizer.decode(model.generate(inputs, max_new_tokens=64)[0]))

# Optional: fold the adapter into the weights and save a plain model.
# model.merge_and_unload().save_pretrained("merged-model")
`;
}
