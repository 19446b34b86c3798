export default defineBackground(() => {
  // The policy engine is wired here by the extension-core issue; see design.md "Data flow".
});
