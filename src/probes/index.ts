// Public API of src/probes (filled in as the area is built).
export {};
