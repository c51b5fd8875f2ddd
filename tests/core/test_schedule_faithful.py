"""The first course's file says what the syllabus page says.

The file is the frozen copy tests/data/courses/ml_at_scale.yaml (the live
schedule.yaml is next term's, and no test reads it). PAGE_TITLES was typed from
../shared/seed/syllabus.txt (the flattened course page), not generated from the
file: papers and resources of each class, in page order, spelled as on the page
except where noted.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pytest

from bot.core.loader import load_course
from bot.core.model import Course, Session

SCHEDULE = Path(__file__).resolve().parents[2] / "tests" / "data" / "courses" / "ml_at_scale.yaml"

PAGE_TITLES: dict[int, list[str]] = {
    1: [],
    2: [
        "Hal’s book",
        "The Deep Learning book",
        # The page keeps only "provides a short, very clear introduction to
        # neural networks": the link's name was lost. Descriptive title.
        "A short introduction to neural networks (name lost)",
    ],
    3: [
        "Prediction and Entropy of Printed English",
        "Efficient Estimation of Word Representation in Vector Space",
        "The Mixture Distribution Transition Model for High Order Markov Chains and non-Gaussian Time Series",
    ],
    4: [
        "Attention is all you need",
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        "Formal Algorithms for Transformers",
        "RoFormer: Enhanced transformer with Rotary Position Embedding",
        "Electra: Pre-training text encoders as discriminators rather than generators",
        "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
        "Bert slides",
    ],
    5: [
        "Language Models are Few-Shot Learners",
        "LLaMA: Open and Efficient Foundation Language Models",
    ],
    6: [
        "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
        "Swin Transformer: Hierarchical Vision Transformer Using Shifted Windows",
        "Masked Autoencoders Are Scalable Vision Learners",
        "Scaling Vision Transformers to 22 Billion Parameters",
    ],
    7: [
        "A Simple Framework for Contrastive Learning of Visual Representations",
        "Emerging Properties in Self-Supervised Vision Transformers",
        "Vision Transformers Need Registers",
        "SimCLR slides",
    ],
    8: [
        "Learning Transferable Visual Models From Natural Language Supervision",
        "CoCa: Contrastive Captioners are Image-Text Foundation Models",
        "Demystifying CLIP data",
    ],
    9: [
        "Reinforcement Learning, an Introduction",
        "Proximal Policy Optimization Algorithms",
        "OpenAI discussion of PPO",
    ],
    10: [
        "Reducing Activation Recomputation in Large Transformer Models",
        "Emu: Enhancing Image Generation Models Using Photogenic Needles in a Haystack",
    ],
    11: [
        "Training language models to follow instructions with human feedback",
        "LoRA: Low-Rank Adaptation of Large Language Models",
        "Alpaca: A Strong, Replicable Instruction-Following Model",
        "Learning to Summarize from Human Feedback",
        "Towards Understanding Sycophancy in Language Models",
        "Llama 2: Open Foundation and Fine-Tuned Chat Models",
        "SELF-INSTRUCT: Aligning Language Models with Self-Generated Instructions",
        "The Curious Case of Neural Text Degeneration",
    ],
    12: ["AI models collapse when trained on recursively generated data"],
    13: [],
    14: [
        "Blip-2: Bootstrapping language-image pre-training with frozen image encoders and large language models",
        "Flamingo: a Visual Language Model for Few-Shot Learning",
        "Visual Instruction Tuning",
        "The Llama 3 Herd of Models",
        "The Claude 3 Model Family: Opus, Sonnet, Haiku",
        "Gemini: A Family of Highly Capable Multimodal Models",
        "GPT-4 Technical Report",
    ],
    15: [
        "LIMA: Less Is More for Alignment",
        "Rethinking the role of demonstrations: what makes it work?",
        "On the Dangers of Stochastic Parrots: Can Language Models Be Too Big?",
        "Women also Snowboard",
    ],
    16: [
        "Open Sesame! Universal Black-box Jailbreaking of Large Language Models",
        "Scalable Extraction of Training Data from (Production) Language Models",
        "DECODINGTRUST: A Comprehensive Assessment of Trustworthiness in GPT Models",
        "Badllama 3: removing safety finetuning from Llama 3 in minutes",
        "To Fix Fake News, Look To Yellow Journalism",
        "Foundational Challenges in Assuring Alignment and Safety of Large Language Models",
    ],
    17: [
        "FLASHATTENTION: Fast and Memory-Efficient Exact Attention with IO-Awareness",
        "LLM.int8(): 8-bit Matrix Multiplication for Transformers at Scale",
        "QLoRA: Efficient Finetuning of Quantized LLMs",
        "LLM.int8() blog",
    ],
    18: [
        "Tensor Programs V: Tuning Large Neural Networks via Zero-Shot Hyperparameter Transfer",
        "Outrageously Large Neural Networks: The Sparsely-Gated Mixture-of-Experts Layer",
    ],
    19: [
        "Megatron-LM: Training Multi-Billion Parameter Language Models Using Model Parallelism",
        "Ring Attention with Blockwise Transformers for Near-Infinite Context",
        "ZeRO: Memory Optimizations Toward Training Trillion Parameter Models",
        "Scaling Distributed Machine Learning with the Parameter Server",
        "Large Scale Distributed Deep Networks",
    ],
    20: [
        "Aurora: A Foundation Model of the Atmosphere",
        "ClimaX: A foundation model for weather and climate",
        "GenCast: Diffusion-based ensemble forecasting for medium-range weather",
        "GraphCast: Learning skillful medium-range global weather forecasting",
    ],
    21: [
        "Mining Massive Data Sets Chapter 3",
        "On the resemblance and containment of documents",
        "A Self-Supervised Descriptor for Image Copy Detection",
    ],
    22: [
        "DataComp-LM: In search of the next generation of training sets for language models",
        "Filtering, Distillation, and Hard Negatives for Vision-Language Pre-Training",
        "DINOv2: Learning Robust Visual Features without Supervision",
        "The FineWeb Datasets: Decanting the Web for the Finest Text Data at Scale",
    ],
    23: [
        "Surveillance Capitalism",
        "Why Technology Favors Tyranny",
        "AI Art and its Impact on Artists",
    ],
    24: [
        "Denoising Diffusion Probabilistic Models",
        "High-Resolution Image Synthesis with Latent Diffusion Models",
        "Scalable Diffusion Models with Transformers",
        "Tutorials: Arash, Yang",
        # Typo fixed: the page has "There Was Nothing She Could , Do".
        "Trolls Used Her Face to Make Fake Porn.  There Was Nothing She Could Do",
    ],
    25: [
        "MUSE: Text to Image Generation via Masked Generative Transformers",
        "MAGE: MAsked Generative Encoder to Unify Representation Learning and Image Synthesis",
        "Autoregressive Model Beats Diffusion: Llama for Scalable Image Generation",
        "Autoregressive Image Generation without Vector Quantization",
    ],
    26: [
        "Sora",
        "VideoPoet: A Large Language Model for Zero-Shot Video Generation",
        "Genie: Generative Interactive Environments",
        "More Sora",
        "Video Poet web page, with videos",
    ],
    27: [
        "Scaling Laws for Neural Language Models",
        "Training Compute Optimal Large Language Models",
    ],
    28: [
        "Chain-of-Thought Prompting Elicits Reasoning in Large Language Models",
        "Are Emergent Abilities of Large Language Models a Mirage?",
    ],
    29: [],
}

PAGE_OTHER_TOPICS = [
    "Distillation and/or model pruning",
    "Other applications (autonomous driving, …)",
    "Existential risks of AI",
]

PAGE_OTHER_PAPERS = [
    "InstructBLIP: Towards General-purpose Vision-Language Models with Instruction Tuning",
    "What learning algorithm is in-context learning?",
    "The Platonic Representation Hypothesis",
]


def norm(text: str) -> str:
    """Collapse runs of whitespace (the page has double spaces and no-break spaces)."""
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


@pytest.fixture(scope="module")
def schedule() -> Course:
    """The frozen first course through the validating loader (this module's own copy, not the shared fixture)."""
    return load_course(SCHEDULE)


@pytest.fixture(scope="module")
def sessions(schedule: Course) -> dict[int, Session]:
    return {s.number: s for s in schedule.sessions}


def test_sessions_and_dates(schedule: Course, sessions: dict[int, Session]) -> None:
    """Sessions 1..29 once each, dates strictly increasing on Mon/Wed in 2024, 25 on 11/20, 13 cancelled."""
    numbers = [s.number for s in schedule.sessions]
    assert numbers == list(range(1, 30))
    dates = [s.date for s in schedule.sessions]
    assert all(isinstance(d, dt.date) and d.year == 2024 for d in dates)
    assert all(a < b for a, b in itertools.pairwise(dates))
    assert {d.strftime("%a") for d in dates} == {"Mon", "Wed"}
    assert dates[0] == dt.date(2024, 8, 26) and dates[-1] == dt.date(2024, 12, 9)
    assert dt.date(2024, 9, 2) not in dates and dt.date(2024, 11, 27) not in dates
    assert sessions[25].date == dt.date(2024, 11, 20)
    assert sessions[13].date == dt.date(2024, 10, 9)
    assert sessions[13].cancelled is True and sessions[13].reason
    assert [n for n, s in sessions.items() if s.cancelled] == [13]


@pytest.mark.parametrize("number", range(1, 30))
def test_session_titles_match_page(sessions: dict[int, Session], number: int) -> None:
    """The papers and resources of each class are exactly the items the page lists for it."""
    session = sessions[number]
    titles = [norm(item.title) for item in session.papers + session.resources]
    assert len(titles) == len(set(titles)), "duplicate title"
    assert set(titles) == {norm(t) for t in PAGE_TITLES[number]}


def test_paper_counts(sessions: dict[int, Session]) -> None:
    """10/2 has 8 papers, 10/14 has 7, and 9/18 has SimCLR, DINO and Registers plus the SimCLR slides."""
    assert (
        sessions[11].date == dt.date(2024, 10, 2)
        and len(sessions[11].papers) == 8
    )
    assert (
        sessions[14].date == dt.date(2024, 10, 14)
        and len(sessions[14].papers) == 7
    )
    s7 = sessions[7]
    assert s7.date == dt.date(2024, 9, 18)
    assert [(p.title, p.authors) for p in s7.papers] == [
        (
            "A Simple Framework for Contrastive Learning of Visual Representations",
            "Chen et al.",
        ),
        ("Emerging Properties in Self-Supervised Vision Transformers", "Caron et al."),
        ("Vision Transformers Need Registers", "Darcet et al."),
    ]
    assert [(r.title, r.kind) for r in s7.resources] == [("SimCLR slides", "slides")]


def test_other_topics_and_papers(schedule: Course) -> None:
    """The closing "Other Possible Topics" and "Other Papers of Interest" lists match the page."""
    assert [norm(t) for t in schedule.other_topics] == PAGE_OTHER_TOPICS
    assert [norm(p.title) for p in schedule.other_papers] == PAGE_OTHER_PAPERS
