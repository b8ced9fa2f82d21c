"""A trained model ready to answer: inputs or raw audio in, class probabilities out.

``Predictor.from_project`` rebuilds the network of a ``.vnn`` file with its weights, its
class names and, for a sound model, the input transform (features and normalisation) it
was trained with, so a WAV file, a microphone and the training clips go through exactly the
same steps. ``visualnn predict``, ``visualnn listen`` and the live benchmark use it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from visualnn.engine import Sequential, SpecError
from visualnn.engine.geometry import shape_text


@dataclass
class Predictor:
    """``model`` with what it needs to read raw input and name its answers.

    Attributes
    ----------
    model : Sequential
    class_names : list of str
        One per output (``"0"``, ``"1"``, ... when the project names none).
    transform : SoundTransform or None
        For sound models: clips ``(N, samples)`` at ``transform.features.samplerate`` ->
        network inputs.
    """

    model: Sequential
    class_names: list[str]
    transform: object | None = None

    @classmethod
    def from_project(cls, project) -> Predictor:
        """Build from a loaded ``Project``; ``SpecError`` when the network can't be built."""
        from visualnn.data.sound import SoundTransform

        model = project.build_model()
        outputs = int(np.prod(model.output_shape))
        names = [str(c) for c in project.class_names] or [str(k) for k in range(outputs)]
        if len(names) != outputs:
            raise SpecError(f"the project names {len(names)} classes but the network has "
                            f"{outputs} outputs")  # fmt: skip
        transform = None
        if project.input_transform is not None:
            transform = SoundTransform.from_dict(project.input_transform)
            if tuple(transform.features.input_shape) != tuple(model.input_shape):
                raise SpecError("the project's sound settings do not fit its network's input")
        return cls(model, names, transform)

    @property
    def samplerate(self) -> int:
        """Rate sound must have before :meth:`audio_inputs` (16 kHz for our models)."""
        if self.transform is None:
            raise SpecError("this model does not take sound (it was not trained on sounds)")
        return self.transform.features.samplerate

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Network inputs ``(N, *input_shape)`` -> probabilities ``(N, classes)``.

        Raises ``SpecError`` in words when the shape does not fit the network.
        """
        x = np.asarray(x, dtype=np.float32)
        if tuple(x.shape[1:]) != tuple(self.model.input_shape):
            want = shape_text(self.model.input_shape)
            raise SpecError(f"inputs of shape {x.shape[1:]} do not fit the network ({want})")
        out = [self.model.predict(x[i : i + 256]) for i in range(0, len(x), 256)]
        return np.concatenate(out) if out else np.zeros((0, len(self.class_names)), np.float32)

    def audio_inputs(self, clips: np.ndarray) -> np.ndarray:
        """Clips ``(N, samples)`` at :attr:`samplerate` -> network inputs."""
        if self.transform is None:
            raise SpecError("this model does not take sound (it was not trained on sounds)")
        return self.transform(clips)

    def label(self, probs: np.ndarray) -> str:
        """The most probable class of one row of probabilities."""
        return self.class_names[int(np.argmax(probs))]

    def as_dict(self, probs: np.ndarray) -> dict[str, float]:
        """``{class name: probability}`` of one row, rounded for printing."""
        return {n: round(float(p), 6) for n, p in zip(self.class_names, probs, strict=True)}
