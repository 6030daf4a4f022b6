// SPDX-License-Identifier: Apache-2.0

import LossKit

/// LBFGS's line search, `_strong_wolfe` and `_cubic_interpolate` of `torch/optim/lbfgs.py`,
/// operation by operation (c1 = 1e-4, c2 = 0.9, and the bracket tolerance 1e-9: LBFGS does
/// not pass its own tolerance_change).
///
///     bracketing: from t, while the strong Wolfe conditions do not hold and fewer than max_ls
///       evaluations: bracket [t_prev, t] once the Armijo condition fails, the loss stops
///       decreasing (after two steps) or the slope turns non-negative; otherwise extrapolate
///       t by cubic interpolation within [t + 0.01 (t - t_prev), 10 t]
///     zoom: while not done and fewer than max_ls evaluations, and the bracket is wider than
///       1e-9 / max|d|: interpolate inside it (moved 0.1 of its width off an end when too
///       close twice or on it), evaluate, and shrink it keeping the lowest point
///     result: the bracket's lowest point (loss, gradient, t) and the evaluations made
enum StrongWolfe {
    static let c1 = 1e-4
    static let c2 = 0.9
    static let toleranceChange = 1e-9

    /// What the search found.
    struct Result {
        var loss: Double
        var gradient: [Double]
        var t: Double
        var evaluations: Int
    }

    /// Searches along `line` from step `t`, with the loss `f`, gradient `g` and slope `gtd` at 0.
    static func search<F: Objective>(_ line: inout LineObjective<F>, t start: Double, f: Double, g: [Double], gtd: Double,
                                     maxLS: Int) throws(LossError) -> Result {
        var t = start
        let dNorm = VectorMath.maxMagnitude(line.direction)
        var (fNew, gNew) = try line.evaluate(at: t)
        var evaluations = 1
        var gtdNew = VectorMath.dot(gNew, line.direction)

        // Bracketing phase.
        var tPrev = 0.0, fPrev = f, gPrev = g, gtdPrev = gtd
        var done = false
        var lsIter = 0
        var bracket: [Double] = [], bracketF: [Double] = [], bracketG: [[Double]] = [], bracketGtd: [Double] = [0, 0]
        while lsIter < maxLS {
            if fNew > (f + c1 * t * gtd) || (lsIter > 1 && fNew >= fPrev) {
                (bracket, bracketF, bracketG, bracketGtd) = ([tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew])
                break
            }
            if Swift.abs(gtdNew) <= -c2 * gtd {
                (bracket, bracketF, bracketG) = ([t], [fNew], [gNew])
                done = true
                break
            }
            if gtdNew >= 0 {
                (bracket, bracketF, bracketG, bracketGtd) = ([tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew])
                break
            }
            let minStep = t + 0.01 * (t - tPrev)
            let maxStep = t * 10
            let previous = t
            t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, bounds: (minStep, maxStep))
            tPrev = previous
            fPrev = fNew
            gPrev = gNew
            gtdPrev = gtdNew
            (fNew, gNew) = try line.evaluate(at: t)
            evaluations += 1
            gtdNew = VectorMath.dot(gNew, line.direction)
            lsIter += 1
        }
        if lsIter == maxLS {
            (bracket, bracketF, bracketG) = ([0, t], [f, fNew], [g, gNew])
        }

        // Zoom phase.
        var insufficientProgress = false
        var (low, high) = bracketF[0] <= bracketF[bracketF.count - 1] ? (0, 1) : (1, 0)
        while !done && lsIter < maxLS {
            if Swift.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange { break }
            t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1])
            let top = Python.max(bracket[0], bracket[1]), bottom = Python.min(bracket[0], bracket[1])
            let eps = 0.1 * (top - bottom)
            if Python.min(top - t, t - bottom) < eps {
                if insufficientProgress || t >= top || t <= bottom {
                    t = Swift.abs(t - top) < Swift.abs(t - bottom) ? top - eps : bottom + eps
                    insufficientProgress = false
                } else {
                    insufficientProgress = true
                }
            } else {
                insufficientProgress = false
            }
            (fNew, gNew) = try line.evaluate(at: t)
            evaluations += 1
            gtdNew = VectorMath.dot(gNew, line.direction)
            lsIter += 1

            if fNew > (f + c1 * t * gtd) || fNew >= bracketF[low] {
                (bracket[high], bracketF[high], bracketG[high], bracketGtd[high]) = (t, fNew, gNew, gtdNew)
                (low, high) = bracketF[0] <= bracketF[1] ? (0, 1) : (1, 0)
            } else {
                if Swift.abs(gtdNew) <= -c2 * gtd {
                    done = true
                } else if gtdNew * (bracket[high] - bracket[low]) >= 0 {
                    (bracket[high], bracketF[high], bracketG[high], bracketGtd[high])
                        = (bracket[low], bracketF[low], bracketG[low], bracketGtd[low])
                }
                (bracket[low], bracketF[low], bracketG[low], bracketGtd[low]) = (t, fNew, gNew, gtdNew)
            }
        }
        return Result(loss: bracketF[low], gradient: bracketG[low], t: bracket[low], evaluations: evaluations)
    }

    /// `_cubic_interpolate`: the minimiser of the cubic through (x1, f1) and (x2, f2) with
    /// slopes g1 and g2, clamped to `bounds` (default: between x1 and x2); their midpoint when
    /// the cubic has no real minimiser.
    static func cubicInterpolate(_ x1: Double, _ f1: Double, _ g1: Double, _ x2: Double, _ f2: Double, _ g2: Double,
                                 bounds: (Double, Double)? = nil) -> Double {
        let (xminBound, xmaxBound) = bounds ?? (x1 <= x2 ? (x1, x2) : (x2, x1))
        let d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
        let d2Square = d1 * d1 - g1 * g2
        if d2Square >= 0 {
            let d2 = d2Square.squareRoot()
            let minPos = x1 <= x2
                ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
            return Python.min(Python.max(minPos, xminBound), xmaxBound)
        }
        return (xminBound + xmaxBound) / 2.0
    }
}
