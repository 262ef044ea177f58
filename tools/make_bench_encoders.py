#!/usr/bin/env python3
"""Writes random-init DistilBERT, RoBERTa and ALBERT folders of MiniLM-L6's shape (6 layers,
hidden 384, 12 heads, FFN 1536, WordPiece-sized vocabulary 30,522; ALBERT with its 128-wide
embeddings and one shared layer, gelu_new) for
`lexgraph bench model`, which times lexgraph against PyTorch on them in the same run.
Speed does not depend on the weights, so no download is needed.

  python3 tools/make_bench_encoders.py OUT      # writes OUT/distilbert, OUT/roberta and OUT/albert
  lexgraph bench model --model OUT/distilbert --batch 16 --seq 128 --threads 1,2
"""
import os
import sys

import torch
from transformers import AlbertConfig, AlbertForSequenceClassification, DistilBertConfig, DistilBertForSequenceClassification, RobertaConfig, RobertaForSequenceClassification

out = sys.argv[1]
torch.manual_seed(0)
models = {
    "distilbert": DistilBertForSequenceClassification(DistilBertConfig(
        vocab_size=30522, dim=384, n_layers=6, n_heads=12, hidden_dim=1536, max_position_embeddings=512, num_labels=2)),
    "roberta": RobertaForSequenceClassification(RobertaConfig(
        vocab_size=30522, hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536,
        max_position_embeddings=514, type_vocab_size=1, pad_token_id=1, num_labels=2)),
    "albert": AlbertForSequenceClassification(AlbertConfig(
        vocab_size=30522, embedding_size=128, hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
        intermediate_size=1536, max_position_embeddings=512, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
        num_labels=2)),
}
for name, model in models.items():
    model.save_pretrained(os.path.join(out, name), safe_serialization=True)
    print(os.path.join(out, name))
